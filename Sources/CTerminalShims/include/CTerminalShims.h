#ifndef CTERMINALSHIMS_H
#define CTERMINALSHIMS_H
/* What Swift cannot import from ncurses directly: C globals (not concurrency-safe under Swift 6),
   macros (attributes, KEY_F(n)), variadic calls (ioctl), and newterm on the C stdio streams. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>

/* newterm(term, stdout, stdin): NULL when the terminal cannot be set up (initscr would exit). */
SCREEN *mailscope_newterm(const char *term);
/* 1 when terminfo knows `term` and it can address the cursor (has "cup"); 0 otherwise. Prints nothing. */
int mailscope_terminal_is_usable(const char *term);
/* The size of the terminal on `fd` (TIOCGWINSZ); returns 0 on success. */
int mailscope_window_size(int fd, int *rows_out, int *columns_out);
/* Writes `length` bytes to standard output, bypassing curses (OSC 52); returns 0 on success. */
int mailscope_write_stdout(const char *bytes, unsigned long length);

/* Bracketed paste on (1) or off (0). Turning it on the first time also arranges for it to be
   turned off at exit() and on a crash (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE). */
void mailscope_set_bracketed_paste(int on);
/* 1 while bracketed paste is on. */
int mailscope_bracketed_paste_is_on(void);

WINDOW *mailscope_stdscr(void);
int mailscope_lines(void);
int mailscope_columns(void);
int mailscope_key_f(int number);

attr_t mailscope_attr_normal(void);
attr_t mailscope_attr_bold(void);
attr_t mailscope_attr_reverse(void);
attr_t mailscope_attr_underline(void);
attr_t mailscope_attr_dim(void);
attr_t mailscope_color_pair(short pair);
#endif
