# The sanitizer build (docs/security.md, "Fuzzing and sanitizers"): one configure that CI uses for
# both the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer and the libFuzzer
# targets. The flags apply to every target, the sim library included, so a fuzz target links the
# same objects the tests run and a new file in sim/ can never be missing from the fuzz build.

if(MAILLAB_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MAILLAB_FUZZ=ON needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++ (Debian packages clang, libclang-rt-14-dev)")
  endif()
  set(MAILLAB_SANITIZE ON CACHE BOOL "" FORCE)
  # Coverage instrumentation for libFuzzer in every object; only the fuzz targets link the
  # fuzzer's main (-fsanitize=fuzzer in tests/fuzz/CMakeLists.txt). The other programs run
  # normally: the sanitizer runtime supplies the coverage callbacks.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(MAILLAB_SANITIZE)
  # -O1 keeps the suite fast enough for CI while the reports keep their line numbers; an
  # undefined-behaviour finding stops the program like an address error does, so a test fails.
  set(maillab_sanitizer_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
  add_compile_options(${maillab_sanitizer_flags} -O1 -g)
  add_link_options(-fsanitize=address,undefined)
  message(STATUS "maillab: AddressSanitizer + UndefinedBehaviorSanitizer build")
endif()

# Run-time options for the sanitizer build's tests (tests/CMakeLists.txt adds log_path; the
# fuzz targets use them as they are). Leaks are checked in our code; the suppressions file names
# each third-party leak (Mesa, GLFW, fontconfig) that is suppressed and why.
set(MAILLAB_ASAN_OPTIONS "detect_leaks=1:check_initialization_order=1:strict_init_order=1")
set(MAILLAB_UBSAN_OPTIONS "print_stacktrace=1:halt_on_error=1")
set(MAILLAB_LSAN_OPTIONS "suppressions=${PROJECT_SOURCE_DIR}/tests/lsan.supp:print_suppressions=0")
