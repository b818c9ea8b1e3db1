#ifndef CCURLSHIMS_H
#define CCURLSHIMS_H

#include <curl/curl.h>

/*
 * Typed wrappers for libcurl's variadic calls (curl_easy_setopt, curl_easy_getinfo,
 * curl_multi_setopt), which Swift cannot call directly. Each wrapper passes exactly one
 * argument of the type the option documents and returns libcurl's result code unchanged.
 */

/* A write or header callback: receives `size * count` bytes and returns how many it consumed. */
typedef size_t (*mailscope_curl_data_callback)(char *data, size_t size, size_t count, void *context);

/* Sets an option that takes a `long`. */
CURLcode mailscope_curl_set_long(CURL *handle, CURLoption option, long value);

/* Sets an option that takes a `curl_off_t`. */
CURLcode mailscope_curl_set_off(CURL *handle, CURLoption option, curl_off_t value);

/* Sets an option that takes a C string (libcurl copies it); `value` may be NULL to reset. */
CURLcode mailscope_curl_set_string(CURL *handle, CURLoption option, const char *value);

/* Sets an option that takes an opaque pointer (callback context, error buffer). */
CURLcode mailscope_curl_set_pointer(CURL *handle, CURLoption option, void *value);

/* Sets an option that takes a `struct curl_slist *` (which must outlive the transfer). */
CURLcode mailscope_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value);

/* Sets CURLOPT_WRITEFUNCTION or CURLOPT_HEADERFUNCTION. */
CURLcode mailscope_curl_set_data_callback(CURL *handle, CURLoption option, mailscope_curl_data_callback callback);

/*
 * Sets the request body: CURLOPT_POSTFIELDSIZE_LARGE then CURLOPT_COPYPOSTFIELDS, so libcurl
 * keeps its own copy and the body may contain NUL bytes. `data` may be NULL when `size` is 0.
 */
CURLcode mailscope_curl_set_body(CURL *handle, const void *data, curl_off_t size);

/* Reads an information item that is a `long`. */
CURLcode mailscope_curl_get_long(CURL *handle, CURLINFO info, long *value);

/* Sets a multi-handle option that takes a `long`. */
CURLMcode mailscope_curl_multi_set_long(CURLM *multi, CURLMoption option, long value);

#endif
