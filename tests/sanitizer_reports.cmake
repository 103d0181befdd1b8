# The last entry of the sanitizer build's ctest: fails, printing them, when any process of the
# suite wrote a sanitizer report (AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer)
# to REPORTS (ASAN_OPTIONS/UBSAN_OPTIONS log_path, set for every entry in tests/CMakeLists.txt).
file(GLOB reports "${REPORTS}/*")
if(NOT reports)
  message(STATUS "no sanitizer report in ${REPORTS}")
  return()
endif()
list(LENGTH reports count)
foreach(report IN LISTS reports)
  file(READ "${report}" text)
  message("==== ${report}\n${text}")
endforeach()
message(FATAL_ERROR "${count} sanitizer report(s) in ${REPORTS} (printed above)")
