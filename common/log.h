#ifndef RSVP_LOG_H
#define RSVP_LOG_H

/*
 * A tiny log API in the style of OpenBSD's: one line per call to stderr,
 * prefixed with the program name.  log_warn appends the errno text,
 * log_warnx does not; fatal and fatalx log and exit 1.
 */

#define PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))

void	log_init(const char *);
void	log_info(const char *, ...) PRINTFLIKE(1, 2);
void	log_warn(const char *, ...) PRINTFLIKE(1, 2);
void	log_warnx(const char *, ...) PRINTFLIKE(1, 2);
_Noreturn void	fatal(const char *, ...) PRINTFLIKE(1, 2);
_Noreturn void	fatalx(const char *, ...) PRINTFLIKE(1, 2);

#endif
