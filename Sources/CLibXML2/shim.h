/* libxml2's XML Schema validator, used only by the tests that check every SOAP request
 * mailscope sends against Microsoft's EWS schema (messages.xsd, types.xsd). */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
