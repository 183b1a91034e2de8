/*
 * sepa_latin.h: the Latin letters of U+0180-U+024F (Latin Extended-B) and
 * U+1E00-U+1EFF (Latin Extended Additional, Vietnamese among them) in the
 * SEPA character set: the base letter without its marks (Unicode
 * decomposition), a few letters by hand.  "" marks a code point with no Latin
 * transliteration.  Generated once from Unicode data; included by sepa.c only.
 */
static const char *const latin_ext_b[0x24F - 0x180 + 1] = {
	"b", "B", "B", "b", "", "", "O", "C", "c", "D", "D", "D", "d", "", "E", "E", "E", "F", "f",
	"G", "G", "hv", "I", "I", "K", "k", "l", "", "M", "N", "n", "O", "O", "o", "OI", "oi", "P",
	"p", "R", "S", "s", "SH", "", "t", "T", "t", "T", "U", "u", "U", "V", "Y", "y", "Z", "z",
	"ZH", "ZH", "zh", "", "", "5", "5", "", "", "", "", "", "", "DZ", "Dz", "dz", "LJ", "Lj",
	"lj", "NJ", "Nj", "nj", "A", "a", "I", "i", "O", "o", "U", "u", "U", "u", "U", "u", "U", "u",
	"U", "u", "e", "A", "a", "A", "a", "", "", "G", "g", "G", "g", "K", "k", "O", "o", "O", "o",
	"", "", "j", "DZ", "Dz", "dz", "G", "g", "HV", "W", "N", "n", "A", "a", "", "", "", "", "A",
	"a", "A", "a", "E", "e", "E", "e", "I", "i", "I", "i", "O", "o", "O", "o", "R", "r", "R", "r",
	"U", "u", "U", "u", "S", "s", "T", "t", "GH", "gh", "H", "h", "N", "d", "OU", "ou", "Z", "z",
	"A", "a", "E", "e", "O", "o", "O", "o", "O", "o", "O", "o", "Y", "y", "l", "n", "t", "j",
	"db", "qp", "A", "C", "c", "L", "T", "s", "z", "", "", "B", "U", "", "E", "e", "J", "j", "Q",
	"q", "R", "r", "Y", "y",
};
static const char *const latin_ext_add[0x1EFF - 0x1E00 + 1] = {
	"A", "a", "B", "b", "B", "b", "B", "b", "C", "c", "D", "d", "D", "d", "D", "d", "D", "d", "D",
	"d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "F", "f", "G", "g", "H", "h", "H", "h",
	"H", "h", "H", "h", "H", "h", "I", "i", "I", "i", "K", "k", "K", "k", "K", "k", "L", "l", "L",
	"l", "L", "l", "L", "l", "M", "m", "M", "m", "M", "m", "N", "n", "N", "n", "N", "n", "N", "n",
	"O", "o", "O", "o", "O", "o", "O", "o", "P", "p", "P", "p", "R", "r", "R", "r", "R", "r", "R",
	"r", "S", "s", "S", "s", "S", "s", "S", "s", "S", "s", "T", "t", "T", "t", "T", "t", "T", "t",
	"U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "V", "v", "V", "v", "W", "w", "W", "w", "W",
	"w", "W", "w", "W", "w", "X", "x", "X", "x", "Y", "y", "Z", "z", "Z", "z", "Z", "z", "h", "t",
	"w", "y", "a", "s", "s", "s", "SS", "d", "A", "a", "A", "a", "A", "a", "A", "a", "A", "a",
	"A", "a", "A", "a", "A", "a", "A", "a", "A", "a", "A", "a", "A", "a", "E", "e", "E", "e", "E",
	"e", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "I", "i", "I", "i", "O", "o", "O", "o",
	"O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O",
	"o", "U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "Y", "y", "Y", "y",
	"Y", "y", "Y", "y", "LL", "ll", "V", "v", "Y", "y",
};
