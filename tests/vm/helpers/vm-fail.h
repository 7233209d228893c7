// The verdict of every guest helper: "FAIL: reason" on stdout (where the guest
// test reads it) and exit status 1.
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static _Noreturn void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	exit(1);
}
