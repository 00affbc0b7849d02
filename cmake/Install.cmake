# Install rules: `cmake --install build --prefix P` lays out
#   P/bin/clawmit
#   P/libexec/clawmit/clawmit-net, clawmit-serve   (as git keeps git-core;
#                                                   cli/helper_path.h finds them)
#   P/share/doc/clawmit/README.md, *.md            (docs/)
#   P/lib/systemd/system/clawmit.service           (docs/SERVER.md, "Running as a service")
#   P/etc/clawmit/clawmit.env, or /etc/clawmit/clawmit.env for P = /usr (.env.example)
#   P/share/man/man1/clawmit*.1                    (written by clawmit-net, cli/CMakeLists.txt)
#   P/share/{bash-completion/completions,zsh/site-functions,fish/vendor_completions.d}
include(GNUInstallDirs)

install(TARGETS clawmit RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS clawmit-net clawmit-serve RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/clawmit)

if(NOT CLAWMIT_FUZZ)
  set(clawmit_share ${PROJECT_BINARY_DIR}/share)
  install(DIRECTORY ${clawmit_share}/man/man1 DESTINATION ${CMAKE_INSTALL_MANDIR})
  install(FILES ${clawmit_share}/bash-completion/completions/clawmit
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
  install(FILES ${clawmit_share}/zsh/site-functions/_clawmit
          DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
  install(FILES ${clawmit_share}/fish/vendor_completions.d/clawmit.fish
          DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
endif()

file(GLOB CLAWMIT_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${CLAWMIT_DOCS}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The systemd unit names the installed clawmit and the environment file, so
# it is written at install time, for the prefix of that install (`--prefix`
# and CPack's /usr included). The environment file is an administrator's:
# an install over an existing one keeps it.
install(CODE "
  set(clawmit_bindir \"${CMAKE_INSTALL_BINDIR}\")
  set(clawmit_docdir \"${CMAKE_INSTALL_DOCDIR}\")
  set(clawmit_source \"${PROJECT_SOURCE_DIR}/packaging\")
  set(clawmit_work \"${PROJECT_BINARY_DIR}/packaging\")
")
install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(clawmit_sysconfdir "/etc")
  else()
    set(clawmit_sysconfdir "${CMAKE_INSTALL_PREFIX}/etc")
  endif()
  set(CLAWMIT_BINARY "${CMAKE_INSTALL_PREFIX}/${clawmit_bindir}/clawmit")
  set(CLAWMIT_DOCDIR "${CMAKE_INSTALL_PREFIX}/${clawmit_docdir}")
  set(CLAWMIT_ENV_FILE "${clawmit_sysconfdir}/clawmit/clawmit.env")
  configure_file("${clawmit_source}/clawmit.service.in" "${clawmit_work}/clawmit.service" @ONLY)
  file(INSTALL "${clawmit_work}/clawmit.service"
       DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
  if(EXISTS "$ENV{DESTDIR}${CLAWMIT_ENV_FILE}")
    message(STATUS "Keeping: $ENV{DESTDIR}${CLAWMIT_ENV_FILE}")
  else()
    file(INSTALL "${clawmit_source}/../.env.example" DESTINATION "${clawmit_sysconfdir}/clawmit"
         RENAME clawmit.env PERMISSIONS OWNER_READ OWNER_WRITE)
  endif()
]])
