# cmake -DBUILD_DIR=... -DPREFIX=... -P stage_install.cmake
#
# `cmake --install BUILD_DIR --prefix PREFIX`, quiet unless it fails: the
# staging install runs each time the deploy fixtures are built.
execute_process(
  COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
  OUTPUT_VARIABLE output ERROR_VARIABLE output RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "staging install into ${PREFIX} failed:\n${output}")
endif()
