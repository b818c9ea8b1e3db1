#ifndef CCURLSHIMS_H
#define CCURLSHIMS_H
#include <curl/curl.h>
/* Typed wrappers for libcurl's variadic calls, which Swift cannot import. */
CURLcode mailscope_curl_set_long(CURL *handle, CURLoption option, long value);
#endif
