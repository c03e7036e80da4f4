# Helpers shared by every test directory.
#
#   hy_unit_test(NAME src.c [more.c ...])
#       A cmocka test linked against hygiene_core, registered with ctest
#       under the label "unit".
#
#   hy_fuzz_target(NAME src.c CORPUS dir)
#       src.c defines LLVMFuzzerTestOneInput(). Always builds NAME-replay,
#       which feeds every file of CORPUS to the target and is registered as
#       a ctest test (label "fuzz"). With -DHYGIENE_FUZZ=ON and clang it
#       also builds NAME, a real libFuzzer binary.

function(hy_unit_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE hygiene_core PkgConfig::CMOCKA)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 120)
endfunction()

function(hy_fuzz_target name src)
  cmake_parse_arguments(F "" "CORPUS" "" ${ARGN})
  add_executable(${name}-replay ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay.c)
  target_link_libraries(${name}-replay PRIVATE hygiene_core)
  add_test(NAME ${name}-replay COMMAND ${name}-replay ${F_CORPUS})
  set_tests_properties(${name}-replay PROPERTIES LABELS fuzz TIMEOUT 300)
  if(HYGIENE_FUZZ)
    add_executable(${name} ${src})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE hygiene_core)
  endif()
endfunction()

#   hy_unit_test_failalloc(NAME src.c [more.c ...])
#       hy_unit_test() with tests/unit/failalloc.c: hygiene's own malloc,
#       calloc, realloc and strdup calls go through wrappers the test can
#       make fail (allocation failure injection).
function(hy_unit_test_failalloc name)
  hy_unit_test(${name} ${ARGN} ${CMAKE_SOURCE_DIR}/tests/unit/failalloc.c)
  target_link_options(${name} PRIVATE
    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup)
endfunction()
