#define _XOPEN_SOURCE 700
#include "CTerminalShims.h"
#include <stdio.h>
#include <sys/ioctl.h>
#include <ncursesw/term.h>
#include <unistd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

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

/* Bracketed paste (ESC[?2004h): on while the wizard runs, off on every way out. A crash (a Swift
   trap is SIGILL or SIGTRAP, a bad access SIGSEGV or SIGBUS, abort() SIGABRT) cannot run Swift
   code, so the mode is turned off here with write(2), which is async-signal-safe; the handler
   then puts back the action it replaced (the Swift backtracer's, or the default) and re-raises. */
static volatile sig_atomic_t mailscope_paste_is_on = 0;
static const int mailscope_crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
#define MAILSCOPE_CRASH_SIGNAL_COUNT (sizeof(mailscope_crash_signals) / sizeof(mailscope_crash_signals[0]))
static struct sigaction mailscope_previous_actions[MAILSCOPE_CRASH_SIGNAL_COUNT];
static int mailscope_crash_handlers_installed = 0;

static void mailscope_paste_off_now(void) {
    static const char off[] = "\033[?2004l";
    if (mailscope_paste_is_on) {
        mailscope_paste_is_on = 0;
        ssize_t ignored = write(STDOUT_FILENO, off, sizeof(off) - 1);
        (void)ignored;
    }
}

static void mailscope_crash_handler(int number) {
    mailscope_paste_off_now();
    for (unsigned long index = 0; index < MAILSCOPE_CRASH_SIGNAL_COUNT; index++) {
        if (mailscope_crash_signals[index] == number) {
            sigaction(number, &mailscope_previous_actions[index], NULL);
        }
    }
    raise(number);
}

static void mailscope_paste_off_at_exit(void) { mailscope_paste_off_now(); }

void mailscope_set_bracketed_paste(int on) {
    if (on) {
        if (!mailscope_crash_handlers_installed) {
            mailscope_crash_handlers_installed = 1;
            atexit(mailscope_paste_off_at_exit);
            for (unsigned long index = 0; index < MAILSCOPE_CRASH_SIGNAL_COUNT; index++) {
                struct sigaction action;
                memset(&action, 0, sizeof(action));
                action.sa_handler = mailscope_crash_handler;
                sigemptyset(&action.sa_mask);
                sigaction(mailscope_crash_signals[index], &action, &mailscope_previous_actions[index]);
            }
        }
        static const char on_sequence[] = "\033[?2004h";
        ssize_t ignored = write(STDOUT_FILENO, on_sequence, sizeof(on_sequence) - 1);
        (void)ignored;
        mailscope_paste_is_on = 1;
    } else {
        mailscope_paste_off_now();
    }
}

int mailscope_bracketed_paste_is_on(void) { return mailscope_paste_is_on; }
