// ringhttp: HTTP status codes and their reason phrases (Go's status.go).
#pragma once

#include <string_view>

namespace ringhttp {

inline constexpr int status_continue = 100;
inline constexpr int status_switching_protocols = 101;
inline constexpr int status_processing = 102;
inline constexpr int status_early_hints = 103;

inline constexpr int status_ok = 200;
inline constexpr int status_created = 201;
inline constexpr int status_accepted = 202;
inline constexpr int status_non_authoritative_info = 203;
inline constexpr int status_no_content = 204;
inline constexpr int status_reset_content = 205;
inline constexpr int status_partial_content = 206;
inline constexpr int status_multi_status = 207;
inline constexpr int status_already_reported = 208;
inline constexpr int status_im_used = 226;

inline constexpr int status_multiple_choices = 300;
inline constexpr int status_moved_permanently = 301;
inline constexpr int status_found = 302;
inline constexpr int status_see_other = 303;
inline constexpr int status_not_modified = 304;
inline constexpr int status_use_proxy = 305;
inline constexpr int status_temporary_redirect = 307;
inline constexpr int status_permanent_redirect = 308;

inline constexpr int status_bad_request = 400;
inline constexpr int status_unauthorized = 401;
inline constexpr int status_payment_required = 402;
inline constexpr int status_forbidden = 403;
inline constexpr int status_not_found = 404;
inline constexpr int status_method_not_allowed = 405;
inline constexpr int status_not_acceptable = 406;
inline constexpr int status_proxy_auth_required = 407;
inline constexpr int status_request_timeout = 408;
inline constexpr int status_conflict = 409;
inline constexpr int status_gone = 410;
inline constexpr int status_length_required = 411;
inline constexpr int status_precondition_failed = 412;
inline constexpr int status_request_entity_too_large = 413;
inline constexpr int status_request_uri_too_long = 414;
inline constexpr int status_unsupported_media_type = 415;
inline constexpr int status_requested_range_not_satisfiable = 416;
inline constexpr int status_expectation_failed = 417;
inline constexpr int status_teapot = 418;
inline constexpr int status_misdirected_request = 421;
inline constexpr int status_unprocessable_entity = 422;
inline constexpr int status_locked = 423;
inline constexpr int status_failed_dependency = 424;
inline constexpr int status_too_early = 425;
inline constexpr int status_upgrade_required = 426;
inline constexpr int status_precondition_required = 428;
inline constexpr int status_too_many_requests = 429;
inline constexpr int status_request_header_fields_too_large = 431;
inline constexpr int status_unavailable_for_legal_reasons = 451;

inline constexpr int status_internal_server_error = 500;
inline constexpr int status_not_implemented = 501;
inline constexpr int status_bad_gateway = 502;
inline constexpr int status_service_unavailable = 503;
inline constexpr int status_gateway_timeout = 504;
inline constexpr int status_http_version_not_supported = 505;
inline constexpr int status_variant_also_negotiates = 506;
inline constexpr int status_insufficient_storage = 507;
inline constexpr int status_loop_detected = 508;
inline constexpr int status_not_extended = 510;
inline constexpr int status_network_authentication_required = 511;

/// status_text returns the reason phrase for an HTTP status code, or an empty
/// view if the code is unknown (Go's StatusText). The view is static.
std::string_view status_text(int code) noexcept;

/// body_allowed_for_status reports whether a response with this status may
/// carry a body: not 1xx, 204 or 304 (RFC 9110 §6.4.1).
constexpr bool body_allowed_for_status(int code) noexcept {
    return !(code >= 100 && code <= 199) && code != status_no_content && code != status_not_modified;
}

}  // namespace ringhttp
