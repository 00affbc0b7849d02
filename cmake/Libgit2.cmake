# clawmit_libgit2: libgit2 linked statically, for start-up speed.
#
# Debian's shared libgit2 pulls 22 shared libraries into every process and
# its git_libgit2_init() parses the whole CA bundle for its TLS stack: about
# 10 ms per command before any work, more than a whole durable `git commit`
# (docs/PERFORMANCE.md). clawmit uses libgit2 only offline — its network goes
# through libcurl in remote/ — so we link the static libgit2.a with its
# dependencies and skip the start-up of its transports: TLS, SSH and Kerberos
# (cmake/libgit2_offline.cpp, through the linker's --wrap).
set(_clawmit_static_deps git2 mbedtls mbedx509 mbedcrypto http_parser pcre2-8 ssh2 crypto z)
set(_clawmit_static_paths)
foreach(lib IN LISTS _clawmit_static_deps)
  find_library(CLAWMIT_STATIC_${lib} NAMES lib${lib}.a REQUIRED)
  list(APPEND _clawmit_static_paths ${CLAWMIT_STATIC_${lib}})
endforeach()

add_library(clawmit_libgit2_offline STATIC ${CMAKE_CURRENT_LIST_DIR}/libgit2_offline.cpp)

add_library(clawmit_libgit2 INTERFACE)
target_include_directories(clawmit_libgit2 INTERFACE ${LIBGIT2_INCLUDE_DIRS})
target_link_libraries(clawmit_libgit2 INTERFACE
  ${_clawmit_static_paths} clawmit_libgit2_offline Threads::Threads rt dl)
target_link_options(clawmit_libgit2 INTERFACE
  -Wl,--wrap=git_mbedtls_stream_global_init -Wl,--wrap=libssh2_init
  -Wl,--wrap=git_http_auth_negotiate)
