#ifndef CTERMINALSHIMS_H
#define CTERMINALSHIMS_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>
int mailscope_tui_lines(void);
#endif
