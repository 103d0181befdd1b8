# The fixture around the sanitizer build's ctest (tests/CMakeLists.txt). Every process of the
# suite writes its sanitizer reports (AddressSanitizer, LeakSanitizer,
# UndefinedBehaviorSanitizer) to files in REPORTS (ASAN_OPTIONS/UBSAN_OPTIONS log_path).
#   MODE=clear  first: an empty REPORTS. It must exist: a sanitizer does not create the folder
#               of its log_path and would stop the program instead.
#   MODE=check  last: fails, printing each one, when any report was written.
if(MODE STREQUAL "clear")
  file(REMOVE_RECURSE "${REPORTS}")
  file(MAKE_DIRECTORY "${REPORTS}")
  return()
endif()
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
