/* memprof: JSON text for the heap formats that are JSON (meminfo's, Chrome's):
 * strings and integers, written straight to the writer. PHP strings are
 * bytes; JSON wants UTF-8, so what is not UTF-8 becomes U+FFFD. */
#include "heap_graph.h"

/* Length of the UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t min;
	if (c < 0xc2 || c > 0xf4) {
		return 0;
	} else if (c < 0xe0) {
		len = 2; min = 0x80;
	} else if (c < 0xf0) {
		len = 3; min = 0x800;
	} else {
		len = 4; min = 0x10000;
	}
	if (len > n) {
		return 0;
	}
	uint32_t cp = c & (0x3f >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		return 0;
	}
	return len;
}

void mp_json_str(mp_writer *w, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0; /* bytes copied as they are, written in one go */
	mp_write(w, "\"", 1);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		const char *esc = NULL;
		char buf[8];
		size_t step = 1;
		if (c == '"') {
			esc = "\\\"";
		} else if (c == '\\') {
			esc = "\\\\";
		} else if (c < 0x20) {
			snprintf(buf, sizeof(buf), "\\u%04x", c);
			esc = buf;
		} else if (c >= 0x80 && (step = utf8_len(s + i, len - i)) == 0) {
			esc = "\\ufffd";
			step = 1;
		}
		if (esc) {
			mp_write(w, s + i - run, run);
			run = 0;
			mp_write(w, esc, strlen(esc));
		} else {
			run += step;
		}
		i += step;
	}
	mp_write(w, s + len - run, run);
	mp_write(w, "\"", 1);
}

void mp_json_u64(mp_writer *w, uint64_t v)
{
	char tmp[24];
	const char *d = mp_u64_digits(tmp, v);
	mp_write(w, d, (size_t)(tmp + sizeof(tmp) - d));
}
