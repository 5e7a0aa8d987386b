# Shared compile settings for the project's own targets, in one INTERFACE target
# (the way qBittorrent's CommonConfig.cmake does it): no global flags.
add_library(webthreat_common INTERFACE)
add_library(webthreat::common ALIAS webthreat_common)
target_compile_features(webthreat_common INTERFACE cxx_std_20)
target_compile_options(webthreat_common INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Werror>
    # GCC 12 reports false -Wrestrict positives inside libstdc++ for "literal" + std::string at -O3
    # (GCC bug 105329); the check stays on for other compilers.
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)
target_compile_definitions(webthreat_common INTERFACE
    WEBTHREAT_VERSION="${PROJECT_VERSION}")
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

# Sanitizers for the whole project (the "asan" preset) and the fuzzing build (the "fuzz" preset).
option(WEBTHREAT_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(WEBTHREAT_FUZZ "Build the libFuzzer targets (clang only); implies the sanitizers" OFF)
if(WEBTHREAT_SANITIZE OR WEBTHREAT_FUZZ)
    set(WEBTHREAT_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    if(WEBTHREAT_FUZZ)
        list(APPEND WEBTHREAT_SANITIZER_FLAGS -fsanitize=fuzzer-no-link)
    endif()
    target_compile_options(webthreat_common INTERFACE ${WEBTHREAT_SANITIZER_FLAGS})
    target_link_options(webthreat_common INTERFACE -fsanitize=address,undefined)
endif()
