# find_package(geppetto): the imported target geppetto::geppetto (the shared library,
# its headers and what they need), found through the installed geppetto.pc.
include(CMakeFindDependencyMacro)
find_dependency(PkgConfig)
get_filename_component(_gp_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(ENV{PKG_CONFIG_PATH} "${_gp_prefix}/lib/pkgconfig:${CMAKE_CURRENT_LIST_DIR}/../../pkgconfig:$ENV{PKG_CONFIG_PATH}")
pkg_check_modules(GEPPETTO_PC REQUIRED IMPORTED_TARGET GLOBAL geppetto)
if(NOT TARGET geppetto::geppetto)
  add_library(geppetto::geppetto ALIAS PkgConfig::GEPPETTO_PC)
endif()
set(geppetto_FOUND TRUE)
