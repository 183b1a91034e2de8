/*
 * banned.h: libc functions gbi does not use.  Included last by every source
 * file, so that a call to one of them is a compile error.  Use snprintf and
 * bounded copies (gbi_strlcpy) instead.
 */
#ifndef GBI_BANNED_H
#define GBI_BANNED_H

#define BANNED(f) sorry_##f##_is_banned_in_gbi

#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strcpy
#define strcpy(a, b) BANNED(strcpy)
#undef strcat
#define strcat(a, b) BANNED(strcat)
#undef strtok
#define strtok(a, b) BANNED(strtok)
#undef gets
#define gets(a) BANNED(gets)

#endif
