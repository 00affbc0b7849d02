// libgit2 is used offline only (no git transports): its TLS stack never makes
// a connection, so loading the CA bundle at git_libgit2_init() is pure start-up
// cost. These stand in for the two loaders (linked with --wrap, see
// cmake/Libgit2.cmake); all of clawmit's network traffic goes through libcurl,
// whose certificate verification is untouched.
struct mbedtls_x509_crt;

extern "C" {
int __wrap_mbedtls_x509_crt_parse_file(mbedtls_x509_crt* /*chain*/, const char* /*path*/) {
  return 0;
}
int __wrap_mbedtls_x509_crt_parse_path(mbedtls_x509_crt* /*chain*/, const char* /*path*/) {
  return 0;
}
}

// SPNEGO (Kerberos) authentication of libgit2's HTTP transport: never used
// offline, and the real one would load the Kerberos libraries into every
// process. Refusing it keeps them out of the link.
extern "C" int __wrap_git_http_auth_negotiate(void** out, const void* /*url*/) {
  *out = nullptr;
  return -1;
}
