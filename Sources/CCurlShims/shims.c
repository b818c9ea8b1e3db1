#include "CCurlShims.h"

CURLcode mailscope_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode mailscope_curl_set_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode mailscope_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode mailscope_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode mailscope_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode mailscope_curl_set_data_callback(CURL *handle, CURLoption option, mailscope_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLcode mailscope_curl_set_body(CURL *handle, const void *data, curl_off_t size) {
    CURLcode result = curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, size);
    if (result != CURLE_OK) {
        return result;
    }
    /* COPYPOSTFIELDS copies POSTFIELDSIZE bytes; an empty body still needs a valid pointer. */
    return curl_easy_setopt(handle, CURLOPT_COPYPOSTFIELDS, (size > 0 && data != NULL) ? (const char *)data : "");
}

CURLcode mailscope_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLMcode mailscope_curl_multi_set_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}
