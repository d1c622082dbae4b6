#pragma once

#include "result.h"

#include <expected>
#include <optional>

namespace sd::http {

// What only HTTP can find wrong with a request: its framing, sizes, media type, method and
// JSON shape. Core's ErrorCode speaks the domain; these belong to the adapter, and are mapped
// to statuses beside the domain's (errormapping.cpp).
enum class HttpErrorCode
{
    BadRequest,           // malformed framing, or a page asked for under a foreign Host (400)
    UriTooLong,           // request line over the edge cap (414)
    HeaderFieldsTooLarge, // header block over the edge cap (431)
    PayloadTooLarge,      // body over server/max_body_bytes (413)
    UnsupportedMediaType, // a body that is not JSON (nor, for pages, a form) (415)
    MethodNotAllowed,     // a method the path does not take (405)
    InvalidJson,          // the body is no JSON object (400)
    InvalidBody,          // a field missing or of the wrong type (400)
};

// An error as the adapter answers it: one of core's, or one of HTTP's own (`http` set).
struct ApiError
{
    ApiError(core::Error error) : domain(std::move(error)) {}
    ApiError(core::ErrorCode code) : domain{code, {}, {}, 0} {}
    ApiError(HttpErrorCode code, QString detail = {})
        : domain{core::ErrorCode::Internal, std::move(detail), {}, 0}, http(code)
    {
    }

    core::Error domain; // its code means nothing when `http` is set; its detail still goes to logs
    std::optional<HttpErrorCode> http;

    bool is(core::ErrorCode code) const { return !http && domain.code == code; }
    bool is(HttpErrorCode code) const { return http == code; }
};

template <typename T> using ApiResult = std::expected<T, ApiError>;

inline std::unexpected<ApiError> fail(HttpErrorCode code, QString detail = {})
{
    return std::unexpected(ApiError(code, std::move(detail)));
}

} // namespace sd::http
