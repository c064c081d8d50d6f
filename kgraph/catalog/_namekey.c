/* The key and probe of a name cited in the common shape, in C: `kgraph.catalog.namekey` has its Python twin,
 * which decides every name this code does not (it returns None for those).
 *
 * A corpus cites most laws once ("Luật X ngày D tháng M năm Y", "Luật x năm Y", a bare "Luật X"), so no
 * cache spares a lookup its split, its words' folding, the key's hash and the probe into the compact index
 * (`compact.Lookup`). Done in Python, those steps were four fifths of resolving such a name.
 *
 * Prober(folded, slots, mask, entries).probe(name) gives
 *   (offset of the key's records, their count, the cited year or None, the cited ISO date or None)
 *   False  when the index holds no such key,
 *   None   when the name is not of the common shape as this code reads it (the Python twin decides).
 * `folded` is `names.FOLDED_BYTES` (a word as cited -> its folded UTF-8); a word it lacks gives None, and the
 * Python twin folds it and adds it there. Words found are kept here too (their folding never changes).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

/* zlib.crc32 of the bytes: the index is keyed by it */
static uint32_t crc32_of(const unsigned char *p, Py_ssize_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    while (n-- > 0)
        c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

typedef struct {
    uint32_t hash;
    Py_ssize_t len;       /* 0: an empty slot */
    Py_UCS4 *chars;
    PyObject *folded;     /* bytes */
} Word;

#define WORD_SLOTS 16384  /* a power of two */
#define WORD_MAX 8192     /* at most half full; cleared when full */
#define KEY_MAX 1024      /* a longer key is left to Python */

typedef struct {
    PyObject_HEAD
    PyObject *folded;     /* dict */
    PyObject *entries;    /* bytes */
    Py_buffer slots;
    uint64_t mask;
    Word *words;
    Py_ssize_t nwords;
} Prober;

static void clear_words(Prober *self)
{
    if (self->words == NULL)
        return;
    for (Py_ssize_t i = 0; i < WORD_SLOTS; i++) {
        Word *w = &self->words[i];
        if (w->len) {
            PyMem_Free(w->chars);
            Py_DECREF(w->folded);
            w->len = 0;
        }
    }
    self->nwords = 0;
}

static void Prober_dealloc(Prober *self)
{
    clear_words(self);
    PyMem_Free(self->words);
    if (self->slots.obj)
        PyBuffer_Release(&self->slots);
    Py_XDECREF(self->folded);
    Py_XDECREF(self->entries);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Prober_init(Prober *self, PyObject *args, PyObject *kwds)
{
    PyObject *folded, *slots, *entries;
    unsigned long long mask;
    if (!PyArg_ParseTuple(args, "O!OKO!", &PyDict_Type, &folded, &slots, &mask, &PyBytes_Type, &entries))
        return -1;
    if (PyObject_GetBuffer(slots, &self->slots, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (self->slots.itemsize != 8 || (uint64_t)self->slots.len / 8 != (uint64_t)mask + 1) {
        PyBuffer_Release(&self->slots);
        PyErr_SetString(PyExc_ValueError, "slots must be mask + 1 items of 8 bytes");
        return -1;
    }
    self->words = PyMem_Calloc(WORD_SLOTS, sizeof(Word));
    if (self->words == NULL) {
        PyBuffer_Release(&self->slots);
        PyErr_NoMemory();
        return -1;
    }
    Py_INCREF(folded);
    Py_INCREF(entries);
    self->folded = folded;
    self->entries = entries;
    self->mask = mask;
    return 0;
}

static int match_at(int kind, const void *data, Py_ssize_t at, const Py_UCS4 *lit, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyUnicode_READ(kind, data, at + i) != lit[i])
            return 0;
    return 1;
}

/* first (last) place in [lo, hi) where `lit` starts, or -1 */
static Py_ssize_t find(int kind, const void *data, Py_ssize_t lo, Py_ssize_t hi, const Py_UCS4 *lit, Py_ssize_t n,
                       int last)
{
    if (last) {
        for (Py_ssize_t i = hi - n; i >= lo; i--)
            if (match_at(kind, data, i, lit, n))
                return i;
    } else {
        for (Py_ssize_t i = lo; i + n <= hi; i++)
            if (match_at(kind, data, i, lit, n))
                return i;
    }
    return -1;
}

/* the number written from a to b as `names.cut_tail` reads it (`_DAY`, `_MONTH`) ("5", "05", "12"; not "005", "0"), -1 else */
static int small_number(int kind, const void *data, Py_ssize_t a, Py_ssize_t b, int top)
{
    Py_ssize_t n = b - a;
    if (n < 1 || n > 2)
        return -1;
    int v = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (int)(c - '0');
    }
    if (v < 1 || v > top)
        return -1;  /* "0", "00", or past the month's or day's range */
    return v;
}

/* the folded bytes of the word from a to b (borrowed), NULL with no error when `folded` lacks it */
static PyObject *folded_word(Prober *self, PyObject *name, int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    Py_ssize_t n = b - a;
    uint32_t h = 2166136261u;
    for (Py_ssize_t i = a; i < b; i++)
        h = (h ^ (uint32_t)PyUnicode_READ(kind, data, i)) * 16777619u;
    size_t i = h & (WORD_SLOTS - 1);
    for (;;) {
        Word *w = &self->words[i];
        if (!w->len)
            break;
        if (w->hash == h && w->len == n) {
            Py_ssize_t j = 0;
            while (j < n && w->chars[j] == PyUnicode_READ(kind, data, a + j))
                j++;
            if (j == n)
                return w->folded;
        }
        i = (i + 1) & (WORD_SLOTS - 1);
    }
    PyObject *sub = PyUnicode_Substring(name, a, b);
    if (sub == NULL)
        return NULL;
    PyObject *f = PyDict_GetItemWithError(self->folded, sub);  /* borrowed */
    Py_DECREF(sub);
    if (f == NULL || !PyBytes_Check(f))
        return NULL;
    if (self->nwords >= WORD_MAX) {
        clear_words(self);
        i = h & (WORD_SLOTS - 1);
    }
    Py_UCS4 *chars = PyMem_Malloc(sizeof(Py_UCS4) * (n ? n : 1));
    if (chars == NULL)
        return f;  /* not kept: still the answer */
    for (Py_ssize_t j = 0; j < n; j++)
        chars[j] = PyUnicode_READ(kind, data, a + j);
    Word *w = &self->words[i];
    w->hash = h;
    w->len = n;
    w->chars = chars;
    Py_INCREF(f);
    w->folded = f;
    self->nwords++;
    return f;
}

static const Py_UCS4 NAM[] = {' ', 'n', 0x103, 'm', ' '};          /* " năm " */
static const Py_UCS4 THANG[] = {' ', 't', 'h', 0xE1, 'n', 'g', ' '}; /* " tháng " */
static const Py_UCS4 NGAY[] = {' ', 'n', 'g', 0xE0, 'y', ' '};       /* " ngày " */
static const unsigned char BO[] = {'b', 0xE1, 0xBB, 0x99, ' '};      /* "bộ " */

/* "YYYY-MM-DD", made directly: PyUnicode_FromFormat cost more than the rest of a probe */
static PyObject *iso_date(int year, int month, int day)
{
    PyObject *d = PyUnicode_New(10, 127);
    if (d == NULL)
        return NULL;
    Py_UCS1 *c = PyUnicode_1BYTE_DATA(d);
    c[0] = (Py_UCS1)('0' + year / 1000);
    c[1] = (Py_UCS1)('0' + year / 100 % 10);
    c[2] = (Py_UCS1)('0' + year / 10 % 10);
    c[3] = (Py_UCS1)('0' + year % 10);
    c[4] = c[7] = '-';
    c[5] = (Py_UCS1)('0' + month / 10);
    c[6] = (Py_UCS1)('0' + month % 10);
    c[8] = (Py_UCS1)('0' + day / 10);
    c[9] = (Py_UCS1)('0' + day % 10);
    return d;
}

/* (offset, count, year or None, ISO date or None) */
static PyObject *answer(uint64_t off, unsigned count, int year, int month, int day)
{
    PyObject *t = PyTuple_New(4);
    if (t == NULL)
        return NULL;
    PyObject *o = PyLong_FromUnsignedLongLong(off), *c = PyLong_FromUnsignedLong(count);
    PyObject *y = year ? PyLong_FromLong(year) : Py_NewRef(Py_None);
    PyObject *d = month ? iso_date(year, month, day) : Py_NewRef(Py_None);
    PyTuple_SET_ITEM(t, 0, o);  /* a NULL item is allowed until the tuple is dropped */
    PyTuple_SET_ITEM(t, 1, c);
    PyTuple_SET_ITEM(t, 2, y);
    PyTuple_SET_ITEM(t, 3, d);
    if (o == NULL || c == NULL || y == NULL || d == NULL) {
        Py_DECREF(t);
        return NULL;
    }
    return t;
}

static PyObject *Prober_probe(Prober *self, PyObject *name)
{
    if (!PyUnicode_Check(name)) {
        PyErr_SetString(PyExc_TypeError, "probe() takes a str");
        return NULL;
    }
    int kind = PyUnicode_KIND(name);
    const void *data = PyUnicode_DATA(name);
    Py_ssize_t len = PyUnicode_GET_LENGTH(name);
    /* NFC for certain: no character outside these ranges, none of which is combining or composes with its
     * neighbour (tests/test_catalog_namekey.py checks it against unicodedata); any other name goes to Python */
    if (kind != PyUnicode_1BYTE_KIND) {
        for (Py_ssize_t i = 0; i < len; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (c >= 0x300 && (c < 0x1E00 || c >= 0x1F00))
                Py_RETURN_NONE;
        }
    }
    Py_ssize_t end = len;
    int year = 0, month = 0, day = 0;
    Py_ssize_t p = find(kind, data, 0, len, NAM, 5, 0);
    if (p >= 0) {
        if (len - (p + 5) != 4)
            Py_RETURN_NONE;
        for (Py_ssize_t i = p + 5; i < len; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (c < '0' || c > '9')
                Py_RETURN_NONE;
            year = year * 10 + (int)(c - '0');
        }
        if (year < 1900 || year > 2099)
            Py_RETURN_NONE;
        end = p;
        Py_ssize_t q = find(kind, data, 0, end, THANG, 7, 1);
        if (q >= 0) {
            Py_ssize_t r = find(kind, data, 0, q, NGAY, 6, 1);
            if (r < 0)
                Py_RETURN_NONE;
            month = small_number(kind, data, q + 7, end, 12);
            day = small_number(kind, data, r + 6, q, 31);
            if (month < 0 || day < 0)
                Py_RETURN_NONE;
            end = r;
        }
    }
    if (end > 0 && PyUnicode_READ(kind, data, end - 1) == ',')
        Py_RETURN_NONE;
    unsigned char key[KEY_MAX];
    Py_ssize_t klen = 0;
    Py_ssize_t a = 0;
    for (;;) {
        Py_ssize_t b = a;
        while (b < end && PyUnicode_READ(kind, data, b) != ' ')
            b++;
        if (b == a)
            Py_RETURN_NONE;  /* an empty word: two spaces, or one at an end */
        PyObject *f = folded_word(self, name, kind, data, a, b);
        if (f == NULL) {
            if (PyErr_Occurred())
                return NULL;
            Py_RETURN_NONE;
        }
        Py_ssize_t fl = PyBytes_GET_SIZE(f);
        if (klen + fl + 1 > KEY_MAX)
            Py_RETURN_NONE;
        if (klen)
            key[klen++] = ' ';
        memcpy(key + klen, PyBytes_AS_STRING(f), fl);
        klen += fl;
        if (b >= end)
            break;
        a = b + 1;
    }
    if ((klen >= 5 && memcmp(key, BO, 5) == 0) || (klen >= 4 && memcmp(key + klen - 4, " nam", 4) == 0))
        Py_RETURN_NONE;  /* a rule of `names._finish` may apply */
    uint32_t h = crc32_of(key, klen);
    const uint64_t *slots = (const uint64_t *)self->slots.buf;
    const unsigned char *entries = (const unsigned char *)PyBytes_AS_STRING(self->entries);
    uint64_t esize = (uint64_t)PyBytes_GET_SIZE(self->entries);
    uint64_t i = h & self->mask;
    uint64_t v = slots[i];
    while (v) {
        if ((uint32_t)v == h) {
            uint64_t off = v >> 32;
            uint16_t size, count;
            if (off + 4 <= esize) {
                memcpy(&size, entries + off, 2);
                memcpy(&count, entries + off + 2, 2);
                off += 4;
                if (size == klen && off + size <= esize && memcmp(entries + off, key, klen) == 0) {
                    return answer(off + size, count, year, month, day);
                }
            }
        }
        i = (i + 1) & self->mask;
        v = slots[i];
    }
    Py_RETURN_FALSE;
}

static PyMethodDef Prober_methods[] = {
    {"probe", (PyCFunction)Prober_probe, METH_O,
     "probe(name): (offset, count, year, date), False for a key the index lacks, None for another shape"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ProberType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kgraph.catalog._namekey.Prober",
    .tp_basicsize = sizeof(Prober),
    .tp_dealloc = (destructor)Prober_dealloc,
    .tp_methods = Prober_methods,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Prober(folded, slots, mask, entries).probe(name): the common shape's key probed in the compact index",
    .tp_init = (initproc)Prober_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_namekey", "The common citation's key and probe, compiled (see namekey.py).", -1, NULL,
};

PyMODINIT_FUNC PyInit__namekey(void)
{
    crc_init();
    if (PyType_Ready(&ProberType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&ProberType);
    if (PyModule_AddObject(m, "Prober", (PyObject *)&ProberType) < 0) {
        Py_DECREF(&ProberType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
