# The Debian package of the server, riffle_<version>_<arch>.deb (`make deb`;
# docs/operations.md, "Debian package"): the riffle binary, its systemd unit,
# /etc/riffle/riffle.toml (a conffile), the man page and a few docs.
#
# Its files belong to the install component "deb" only, excluded from a plain
# `cmake --install` (`make install PREFIX=...` installs the binary and
# libriffle-kinesis under PREFIX, never /etc or /lib). Their destinations are
# relative to the package's root, /.

set(RIFFLE_PACKAGING_DIR ${CMAKE_SOURCE_DIR}/packaging)

# The man page, compressed as Debian installs them (-n: no name nor time, so
# the same page makes the same bytes).
set(RIFFLE_MAN_PAGE ${CMAKE_BINARY_DIR}/packaging/riffle.1)
add_custom_command(
  OUTPUT ${RIFFLE_MAN_PAGE}.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND ${CMAKE_COMMAND} -E copy ${RIFFLE_PACKAGING_DIR}/riffle.1 ${RIFFLE_MAN_PAGE}
  COMMAND gzip -9nf ${RIFFLE_MAN_PAGE}
  DEPENDS ${RIFFLE_PACKAGING_DIR}/riffle.1
  COMMENT "Compressing the man page riffle.1"
  VERBATIM)
add_custom_target(riffle_man_page ALL DEPENDS ${RIFFLE_MAN_PAGE}.gz)
add_dependencies(riffle riffle_man_page)  # built with the binary it documents

install(TARGETS riffle RUNTIME DESTINATION usr/bin COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${RIFFLE_PACKAGING_DIR}/riffle.service DESTINATION lib/systemd/system
        COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${RIFFLE_PACKAGING_DIR}/riffle.toml DESTINATION etc/riffle COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${RIFFLE_MAN_PAGE}.gz DESTINATION usr/share/man/man1 COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/configuration.md
              ${CMAKE_SOURCE_DIR}/docs/operations.md ${CMAKE_SOURCE_DIR}/docs/security.md
              ${CMAKE_SOURCE_DIR}/docs/durability.md
        DESTINATION usr/share/doc/riffle COMPONENT deb EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME riffle)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Riffle")
set(CPACK_PACKAGE_CONTACT "Riffle maintainers <maintainers@users.noreply.r-seed-63f8c2b5.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "streaming data server speaking the Amazon Kinesis Data Streams API")
# Lines under 80 columns, as dpkg shows them; an empty line is a paragraph break.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "Riffle serves the Kinesis Data Streams API (HTTP/1.1, HTTP/2, https) to any"
  "Kinesis client: the AWS SDKs, the aws CLI, KCL and KPL. It stores records"
  "durably in an embedded RocksDB or, as a node of a cluster, in NATS JetStream."
  ""
  "The package runs it as the systemd service riffle.service, configured by"
  "/etc/riffle/riffle.toml.")
# Only the server: the component above, none of libriffle-kinesis's headers,
# library or CMake package.
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};riffle;deb;/")
set(CPACK_PACKAGING_INSTALL_PREFIX /)
set(CPACK_STRIP_FILES TRUE)

set(CPACK_DEBIAN_PACKAGE_NAME riffle)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # riffle_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# Depends: the shared libraries the binary links, as dpkg-shlibdeps names
# their packages; adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${RIFFLE_PACKAGING_DIR}/conffiles ${RIFFLE_PACKAGING_DIR}/postinst
    ${RIFFLE_PACKAGING_DIR}/prerm ${RIFFLE_PACKAGING_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
