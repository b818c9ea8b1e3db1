/* libxml2's XML Schema validator, used only by the tests that check every SOAP request
 * mailscope sends against Microsoft's EWS schema (messages.xsd, types.xsd). */
#include <libxml/xmlversion.h>
/* Debian's libxml2 is built with ICU, whose headers clash with Foundation's own copy of ICU.
 * Nothing here uses libxml2's ICU converters (only pointers to the handler struct pass by). */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
