#ifndef RSVP_CLOCK_H
#define RSVP_CLOCK_H

/* The monotonic clock, for intervals only: never a time of day. */
long long	clock_ms(void);
long long	clock_us(void);

#endif
