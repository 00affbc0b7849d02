// clawmit uses libgit2 offline only: no git transport ever runs, all of
// clawmit's network traffic goes through libcurl (remote/), whose TLS
// verification is untouched. These stand in for the parts of libgit2's
// start-up that only its transports need (linked with --wrap, see
// cmake/Libgit2.cmake); together they cost more than a whole durable git
// commit at every start (docs/PERFORMANCE.md).

extern "C" {

// TLS for libgit2's HTTPS transport: seeds an entropy pool and parses the
// whole CA bundle.
int __wrap_git_mbedtls_stream_global_init() { return 0; }

// SSH transport: initialises OpenSSL and loads all its error strings.
int __wrap_libssh2_init(int /*flags*/) { return 0; }

// SPNEGO (Kerberos) authentication of the HTTP transport: the real one would
// link the Kerberos libraries, which Debian ships shared only.
int __wrap_git_http_auth_negotiate(void** out, const void* /*url*/) {
  *out = nullptr;
  return -1;
}

}  // extern "C"
