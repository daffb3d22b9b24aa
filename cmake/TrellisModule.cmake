# trellis_module(NAME [DEPS mod...] [LIBS target...] [TEST_LIBS target...] [FUZZ_EXCLUDE file...])
#
# Builds src/<NAME>/*.cpp into the library trellis_<NAME> (alias trellis::<NAME>)
# and, when tests are on, tests/<NAME>/*_test.cpp into one GoogleTest binary
# <NAME>_test registered with CTest. Files are globbed, so adding a source or a
# test file needs no CMake edit. DEPS names other Trellis modules: every module
# whose headers src/<NAME> includes, and no other. scripts/check_layering.py
# reads the calls in src/CMakeLists.txt and holds includes to them.
# FUZZ_EXCLUDE names sources left out of the fuzz build (no fuzz target needs
# them, and clang 14 cannot instrument some of them: coroutine-heavy Beast
# code fails with "Cannot represent a difference across sections").
function(trellis_module name)
  cmake_parse_arguments(M "" "" "DEPS;LIBS;TEST_LIBS;FUZZ_EXCLUDE" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${name}/*.cpp)
  if(TRELLIS_FUZZ)
    foreach(f IN LISTS M_FUZZ_EXCLUDE)
      list(REMOVE_ITEM srcs ${CMAKE_SOURCE_DIR}/src/${name}/${f})
    endforeach()
  endif()
  set(deps)
  foreach(d IN LISTS M_DEPS)
    list(APPEND deps trellis_${d})
  endforeach()
  if(srcs)
    add_library(trellis_${name} STATIC ${srcs})
    target_include_directories(trellis_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(trellis_${name} PUBLIC ${deps} ${M_LIBS})
  else()
    add_library(trellis_${name} INTERFACE)
    target_include_directories(trellis_${name} INTERFACE ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(trellis_${name} INTERFACE ${deps} ${M_LIBS})
  endif()
  add_library(trellis::${name} ALIAS trellis_${name})
  set_property(GLOBAL APPEND PROPERTY TRELLIS_MODULES trellis_${name})

  if(TRELLIS_TESTS)
    file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${name}/*_test.cpp)
    if(tests)
      add_executable(${name}_test ${tests})
      target_link_libraries(${name}_test PRIVATE trellis_${name} trellis_testsupport
                            ${M_TEST_LIBS} GTest::gtest_main)
      # One CTest entry per binary keeps start-up cheap; gtest prints per-case results.
      add_test(NAME ${name} COMMAND ${name}_test --gtest_brief=1)
      # A hung test fails on its own instead of eating CI's whole budget.
      set_tests_properties(${name} PROPERTIES TIMEOUT 900 ENVIRONMENT
        "TRELLIS_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
    endif()
  endif()
endfunction()
