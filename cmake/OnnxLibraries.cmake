# The ONNX protobuf schema and checker for `webthreat export-model --onnx` (core/model/onnxexport):
# Debian's libonnx-dev (libonnx, libonnx_proto, the generated onnx-ml.pb.h) and libprotobuf-dev.
# Defines webthreat::onnx_libraries, an imported target carrying the libraries, their headers and the
# definitions the headers need (ONNX_ML=1 selects the ai.onnx.ml schema, ONNX_NAMESPACE=onnx the
# namespace Debian built the library with).
#
# libonnx-dev ships a CMake package (ONNXConfig.cmake) whose targets name protobuf::libprotobuf, so
# protobuf is found first with CMake's own FindProtobuf; where that package is absent (another
# distribution, a hand-built ONNX) the headers and libraries are looked up by name instead.
find_package(Protobuf 3 REQUIRED)
find_package(ONNX CONFIG QUIET)

add_library(webthreat_onnx_libraries INTERFACE IMPORTED GLOBAL)
add_library(webthreat::onnx_libraries ALIAS webthreat_onnx_libraries)
if(TARGET onnx AND TARGET onnx_proto)
    target_link_libraries(webthreat_onnx_libraries INTERFACE onnx onnx_proto protobuf::libprotobuf)
    message(STATUS "ONNX ${ONNX_VERSION}: CMake package in ${ONNX_DIR}")
else()
    find_path(WEBTHREAT_ONNX_INCLUDE_DIR onnx/onnx-ml.pb.h)
    find_library(WEBTHREAT_ONNX_LIBRARY onnx)
    find_library(WEBTHREAT_ONNX_PROTO_LIBRARY onnx_proto)
    if(NOT WEBTHREAT_ONNX_INCLUDE_DIR OR NOT WEBTHREAT_ONNX_LIBRARY OR NOT WEBTHREAT_ONNX_PROTO_LIBRARY)
        message(FATAL_ERROR "ONNX not found: `webthreat export-model --onnx` needs the ONNX library built with "
            "ONNX_ML (Debian: apt-get install libonnx-dev libprotobuf-dev). Looked for onnx/onnx-ml.pb.h "
            "(${WEBTHREAT_ONNX_INCLUDE_DIR}), libonnx (${WEBTHREAT_ONNX_LIBRARY}) and libonnx_proto "
            "(${WEBTHREAT_ONNX_PROTO_LIBRARY}).")
    endif()
    target_include_directories(webthreat_onnx_libraries INTERFACE ${WEBTHREAT_ONNX_INCLUDE_DIR})
    target_link_libraries(webthreat_onnx_libraries INTERFACE
        ${WEBTHREAT_ONNX_LIBRARY} ${WEBTHREAT_ONNX_PROTO_LIBRARY} protobuf::libprotobuf)
    target_compile_definitions(webthreat_onnx_libraries INTERFACE ONNX_ML=1 ONNX_NAMESPACE=onnx)
    message(STATUS "ONNX: ${WEBTHREAT_ONNX_LIBRARY}, headers in ${WEBTHREAT_ONNX_INCLUDE_DIR}")
endif()
mark_as_advanced(WEBTHREAT_ONNX_INCLUDE_DIR WEBTHREAT_ONNX_LIBRARY WEBTHREAT_ONNX_PROTO_LIBRARY)
