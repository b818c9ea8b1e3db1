#include "CTerminalShims.h"
int mailscope_tui_lines(void) { return LINES; }
