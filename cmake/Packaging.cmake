# The Debian package: `cpack -G DEB` in the build folder makes
# clawmit_<version>_amd64.deb from the install rules (cmake/Install.cmake),
# prefix /usr, its dependencies computed by dpkg-shlibdeps from the shared
# libraries the executables link. Maintainer scripts: packaging/debian.
set(CLAWMIT_PACKAGE_MAINTAINER "Clawmit developers <packages@clawmit.xyz>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_PACKAGE_NAME clawmit)
set(CPACK_PACKAGE_VENDOR Clawmit)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${CLAWMIT_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_HOMEPAGE_URL https://clawmit.xyz)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "version control for AI agents, and its server")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "clawmit versions AI agents the way git versions code: every version of an\n"
    "agent - its prompt, its tools, its config - is a content-addressed commit in\n"
    "a local repository, with history, forks, labels, merges, diffs that\n"
    "understand agents, and exit codes and JSON output for CI scripts. It syncs\n"
    "with a Clawmit server (push, pull, clone).\n"
    "\n"
    "The package also holds the self-hostable Clawmit API server (clawmit serve,\n"
    "on SQLite) and a systemd unit for it, clawmit.service, installed but not\n"
    "enabled; its settings are in /etc/clawmit/clawmit.env.")
set(CPACK_STRIP_FILES ON)

# The unit and the environment file are written for the install prefix at
# install time (cmake/Install.cmake): CPack must install with the real
# prefix under DESTDIR, not with the staging folder as the prefix.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION vcs)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# postinst creates the service's user with adduser.
set(CPACK_DEBIAN_PACKAGE_DEPENDS adduser)
# The network commands speak HTTPS: libcurl needs the CA certificates.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS ca-certificates)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_GENERATOR DEB)
include(CPack)
