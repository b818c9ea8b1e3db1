#define _XOPEN_SOURCE 700
#include "CTerminalShims.h"
#include <stdio.h>
#include <sys/ioctl.h>
#include <ncursesw/term.h>
#include <unistd.h>

SCREEN *mailscope_newterm(const char *term) { return newterm(term, stdout, stdin); }

int mailscope_terminal_is_usable(const char *term) {
    int error = 0;
    TERMINAL *previous = cur_term;
    if (setupterm(term, STDOUT_FILENO, &error) != OK) return 0;
    char *cup = tigetstr("cup");
    int usable = cup != NULL && cup != (char *)-1;
    TERMINAL *probe = cur_term;
    set_curterm(previous);
    del_curterm(probe);
    return usable;
}

int mailscope_window_size(int fd, int *rows_out, int *columns_out) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
    *rows_out = size.ws_row;
    *columns_out = size.ws_col;
    return 0;
}

int mailscope_write_stdout(const char *bytes, unsigned long length) {
    fflush(stdout);
    while (length > 0) {
        ssize_t written = write(STDOUT_FILENO, bytes, length);
        if (written <= 0) return -1;
        bytes += written;
        length -= (unsigned long)written;
    }
    return 0;
}

WINDOW *mailscope_stdscr(void) { return stdscr; }
int mailscope_lines(void) { return LINES; }
int mailscope_columns(void) { return COLS; }
int mailscope_key_f(int number) { return KEY_F(number); }

attr_t mailscope_attr_normal(void) { return A_NORMAL; }
attr_t mailscope_attr_bold(void) { return A_BOLD; }
attr_t mailscope_attr_reverse(void) { return A_REVERSE; }
attr_t mailscope_attr_underline(void) { return A_UNDERLINE; }
attr_t mailscope_attr_dim(void) { return A_DIM; }
attr_t mailscope_color_pair(short pair) { return COLOR_PAIR(pair); }
