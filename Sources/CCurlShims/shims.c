#include "CCurlShims.h"
CURLcode mailscope_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
