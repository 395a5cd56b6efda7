# Runs inside `cmake --install` (see CMakeLists.txt): writes the systemd unit
# and its helper with the absolute paths of this install, which only exist
# now that the prefix is final. DESTDIR is honoured for staging, and left out
# of the paths written into the files, as packagers expect.

# A directory variable as an absolute path under the install-time prefix.
function(bpfoom_install_path out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

# configure_file() into the install tree, as `install(FILES)` would.
function(bpfoom_install_configured template destination permissions)
  get_filename_component(name "${template}" NAME_WLE)
  set(target "$ENV{DESTDIR}${destination}/${name}")
  message(STATUS "Installing: ${target}")
  configure_file("${BPFOOM_SOURCE_DIR}/${template}" "${target}" @ONLY)
  file(CHMOD "${target}" PERMISSIONS ${permissions})
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${target}")
  set(CMAKE_INSTALL_MANIFEST_FILES "${CMAKE_INSTALL_MANIFEST_FILES}" PARENT_SCOPE)
endfunction()

bpfoom_install_path(sbindir "${BPFOOM_SBINDIR}")
bpfoom_install_path(helperdir "${BPFOOM_LIBEXECDIR}/bpfoom")
bpfoom_install_path(unitdir "${BPFOOM_SYSTEMD_UNITDIR}")
set(BPFOOM_CLI "${sbindir}/bpfoom")
set(BPFOOM_SYNC_HELPER "${helperdir}/bpfoom-sync-priorities")

bpfoom_install_configured(bpfoom-sync-priorities.in "${helperdir}"
  "OWNER_READ;OWNER_WRITE;OWNER_EXECUTE;GROUP_READ;GROUP_EXECUTE;WORLD_READ;WORLD_EXECUTE")
bpfoom_install_configured(bpfoom.service.in "${unitdir}"
  "OWNER_READ;OWNER_WRITE;GROUP_READ;WORLD_READ")
