# The receiver's Debian package: `cpack -G DEB` in a build directory makes
# studycast_VERSION-1_ARCH.deb, installable with `apt install ./studycast_*.deb`
# (docs/appliance.md). Included from the top CMakeLists.txt after the modules,
# so every target exists; the modules install their own data (ui: the
# catalogs, player and kiosk/demo: the demo streams).
include(GNUInstallDirs)

# Debian 12's places; an explicit -D... moves them for another system.
set(STUDYCAST_SYSTEMD_UNIT_DIR /lib/systemd/system CACHE PATH "systemd system units")
set(STUDYCAST_SYSUSERS_DIR ${CMAKE_INSTALL_PREFIX}/lib/sysusers.d CACHE PATH "sysusers.d")
set(STUDYCAST_TMPFILES_DIR ${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d CACHE PATH "tmpfiles.d")
# The kiosk reads /etc/studycast/keymap.conf (remote.h) whatever the prefix.
set(STUDYCAST_CONFIG_DIR /etc/studycast)
set(STUDYCAST_MAINTAINER "studycast maintainers <studycast@localhost>" CACHE STRING
    "The Debian package's Maintainer field")

set(pkg ${CMAKE_CURRENT_SOURCE_DIR}/packaging)
install(TARGETS studycast RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The unit names the installed binary.
file(READ ${pkg}/studycast.service unit)
string(REPLACE "/usr/bin/studycast" "${CMAKE_INSTALL_FULL_BINDIR}/studycast" unit "${unit}")
string(REPLACE "/usr/share/doc/studycast" "${CMAKE_INSTALL_FULL_DOCDIR}" unit "${unit}")
file(WRITE ${CMAKE_BINARY_DIR}/packaging/studycast.service "${unit}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${pkg}/studycast.service)
install(FILES ${CMAKE_BINARY_DIR}/packaging/studycast.service
        DESTINATION ${STUDYCAST_SYSTEMD_UNIT_DIR})
install(FILES ${pkg}/sysusers.conf DESTINATION ${STUDYCAST_SYSUSERS_DIR} RENAME studycast.conf)
install(FILES ${pkg}/tmpfiles.conf DESTINATION ${STUDYCAST_TMPFILES_DIR} RENAME studycast.conf)
install(FILES ${pkg}/keymap.conf ${pkg}/kiosk.conf DESTINATION ${STUDYCAST_CONFIG_DIR})
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/README.md ${CMAKE_CURRENT_SOURCE_DIR}/docs/appliance.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# dpkg keeps an administrator's changes to these across upgrades.
file(WRITE ${CMAKE_BINARY_DIR}/packaging/conffiles
     "${STUDYCAST_CONFIG_DIR}/keymap.conf\n${STUDYCAST_CONFIG_DIR}/kiosk.conf\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME studycast)
set(CPACK_PACKAGE_VENDOR studycast)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${STUDYCAST_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "study station kiosk for village TV receivers")
# the body only: CPack puts the summary first and indents the lines
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "studycast plays the courses broadcast to a village study station (DVB or
UDP/RTP multicast MPEG transport streams) fullscreen on the TV at their
scheduled time, takes the roll-call with the TV remote or a card reader,
keeps a tamper-evident study record and exports it for inspection.

The package runs it as an appliance: the systemd unit studycast.service
starts it at boot on tty1 through KMS/DRM as the user studycast, with a
watchdog, once enabled with: systemctl enable --now studycast")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries the binary links come from dpkg-shlibdeps; these are what it
# needs without linking them: SDL opens KMS/DRM through GBM and EGL with
# Mesa's drivers and renders with OpenGL (ES), the screens need a CJK font
# (fontconfig finds Noto CJK), the postinst runs systemd-sysusers/-tmpfiles.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "fonts-noto-cjk, systemd, libgbm1, libegl1, libgles2, libgl1, libgl1-mesa-dri")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${pkg}/postinst ${pkg}/prerm ${pkg}/postrm ${CMAKE_BINARY_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
