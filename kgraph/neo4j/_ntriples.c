/* N-Triples read in C for `kg load`: the build's own graph.nt as the mapping's plain tuples.
 *
 * `kgraph.neo4j.rows` maps a graph from (subject, predicate, object) tuples in which an IRI is its text, a blank
 * node "_:" and its label, and a literal a (lexical form, datatype IRI, language) tuple (`rows.RawTriple`).
 * pyoxigraph gives those through a Python object per term and a call per attribute: half of the loader's time
 * in the mapping loop went there. This reads the same tuples straight from the file's bytes.
 *
 * It is used for a build folder's graph.nt only, which kgraph wrote itself through pyoxigraph's validating
 * constructors and which is parsed leniently (no IRI validation) either way; any other file goes through
 * pyoxigraph. It reads the whole N-Triples grammar (comments, blank nodes, escapes in IRIs and literals,
 * language tags, which it lowercases as pyoxigraph does) and raises SyntaxError on anything else. Where no C
 * compiler built it, pyoxigraph reads every file, as before.
 *
 * triples(buffer) -> an iterator of (s, p, o) tuples. A subject repeated on consecutive lines is the same str
 * object, and predicates, datatypes and language tags are shared (kept in a small table): fewer strings to make
 * and to hash.
 *
 * file_triples(...) is rows._Collected.add_raw's filing loop (types, literals, links by subject), over this reader
 * without a tuple per triple, or over any iterable of tuples; the Python loop stays the rule and the fallback.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define SHARED_SLOTS 1024 /* a power of two; at most half is filled, later names are made each time */

typedef struct {
    char *bytes; /* a copy (the buffer is released once read) */
    Py_ssize_t len;
    PyObject *str;
} Shared;

typedef struct {
    PyObject_HEAD
    Py_buffer view;
    int has_view;
    const char *p, *end;
    Py_ssize_t line;
    PyObject *subject; /* the last subject, and its bytes in the buffer */
    const char *subject_at;
    Py_ssize_t subject_len;
    Shared shared[SHARED_SLOTS];
    Py_ssize_t nshared;
    char *scratch; /* unescaped text */
    Py_ssize_t scratch_len;
    PyObject *xsd_string, *lang_string, *empty;
} Reader;

static PyTypeObject ReaderType;

static PyObject *syntax_error(Reader *r, const char *what)
{
    PyErr_Format(PyExc_SyntaxError, "line %zd: %s", r->line, what);
    return NULL;
}

static uint64_t fnv1a(const char *s, Py_ssize_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static PyObject *decode(Reader *r, const char *s, Py_ssize_t n)
{
    PyObject *o = PyUnicode_DecodeUTF8(s, n, NULL);
    if (o == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
        PyErr_Clear();
        return syntax_error(r, "not UTF-8");
    }
    return o;
}

/* A new reference to the str of these bytes, from the table when it holds them. */
static PyObject *shared(Reader *r, const char *s, Py_ssize_t n)
{
    uint64_t h = fnv1a(s, n);
    for (Py_ssize_t k = 0; k < SHARED_SLOTS; k++) {
        Shared *e = &r->shared[(h + k) & (SHARED_SLOTS - 1)];
        if (e->str == NULL) {
            PyObject *o = decode(r, s, n);
            if (o == NULL || r->nshared >= SHARED_SLOTS / 2)
                return o;
            e->bytes = PyMem_Malloc(n ? n : 1);
            if (e->bytes == NULL)
                return o; /* not kept: made again next time */
            memcpy(e->bytes, s, n);
            e->len = n;
            e->str = o;
            r->nshared++;
            Py_INCREF(o);
            return o;
        }
        if (e->len == n && memcmp(e->bytes, s, n) == 0) {
            Py_INCREF(e->str);
            return e->str;
        }
    }
    return decode(r, s, n);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The text between s and s + n with its escapes (UCHAR always; ECHAR when `echar`) read, as a str. */
static PyObject *unescaped(Reader *r, const char *s, Py_ssize_t n, int echar)
{
    if (r->scratch_len < n) {
        char *b = PyMem_Realloc(r->scratch, n);
        if (b == NULL)
            return PyErr_NoMemory();
        r->scratch = b;
        r->scratch_len = n;
    }
    char *out = r->scratch;
    Py_ssize_t j = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\\') {
            out[j++] = c;
            continue;
        }
        if (++i >= n)
            return syntax_error(r, "a backslash at the end of a term");
        c = s[i];
        if (c == 'u' || c == 'U') {
            int digits = c == 'u' ? 4 : 8;
            uint32_t cp = 0;
            if (i + digits >= n)
                return syntax_error(r, "a cut \\u escape");
            for (int q = 1; q <= digits; q++) {
                int v = hex_value(s[i + q]);
                if (v < 0)
                    return syntax_error(r, "a \\u escape with a non-hex digit");
                cp = cp * 16 + (uint32_t)v;
            }
            i += digits;
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return syntax_error(r, "a \\u escape of no character");
            /* UTF-8 is never longer than the escape it replaces (6 or 10 bytes for at most 4) */
            if (cp < 0x80) {
                out[j++] = (char)cp;
            } else if (cp < 0x800) {
                out[j++] = (char)(0xC0 | (cp >> 6));
                out[j++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out[j++] = (char)(0xE0 | (cp >> 12));
                out[j++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[j++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[j++] = (char)(0xF0 | (cp >> 18));
                out[j++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                out[j++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[j++] = (char)(0x80 | (cp & 0x3F));
            }
            continue;
        }
        if (!echar)
            return syntax_error(r, "an escape other than \\u in an IRI");
        switch (c) {
        case 't': out[j++] = '\t'; break;
        case 'b': out[j++] = '\b'; break;
        case 'n': out[j++] = '\n'; break;
        case 'r': out[j++] = '\r'; break;
        case 'f': out[j++] = '\f'; break;
        case '"': out[j++] = '"'; break;
        case '\'': out[j++] = '\''; break;
        case '\\': out[j++] = '\\'; break;
        default: return syntax_error(r, "an unknown escape in a literal");
        }
    }
    return decode(r, out, j);
}

static void skip_space(Reader *r)
{
    const char *p = r->p;
    while (p < r->end && (*p == ' ' || *p == '\t'))
        p++;
    r->p = p;
}

static int at_eol(const char *p, const char *end)
{
    return p >= end || *p == '\n' || *p == '\r';
}

/* An IRI at r->p ('<' checked by the caller): the bytes between the brackets, as a str (shared or not). */
static PyObject *iri(Reader *r, int share)
{
    const char *start = ++r->p, *p = start;
    int escaped = 0;
    while (p < r->end && *p != '>') {
        if (*p == '\n' || *p == '\r' || *p == '<' || *p == ' ')
            return syntax_error(r, "an IRI not closed by '>'");
        if (*p == '\\')
            escaped = 1;
        p++;
    }
    if (p >= r->end)
        return syntax_error(r, "an IRI not closed by '>'");
    r->p = p + 1;
    if (escaped)
        return unescaped(r, start, p - start, 0);
    return share ? shared(r, start, p - start) : decode(r, start, p - start);
}

/* A blank node at r->p ("_:" checked by the caller): "_:" and its label. */
static PyObject *blank(Reader *r)
{
    const char *at = r->p, *start = at + 2, *p = start;
    while (p < r->end && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '<' && *p != '"')
        p++;
    while (p > start && p[-1] == '.') /* a label does not end with '.': that is the statement's */
        p--;
    if (p == start)
        return syntax_error(r, "a blank node without a label");
    r->p = p;
    return decode(r, at, p - at);
}

/* A literal at r->p ('"' checked by the caller): (lexical form, datatype IRI, language). */
/* A 3-tuple of three new references, which it takes over (released if it cannot be made). */
static PyObject *tuple3(PyObject *a, PyObject *b, PyObject *c)
{
    PyObject *t = PyTuple_New(3);
    if (t == NULL) {
        Py_DECREF(a);
        Py_DECREF(b);
        Py_DECREF(c);
        return NULL;
    }
    PyTuple_SET_ITEM(t, 0, a);
    PyTuple_SET_ITEM(t, 1, b);
    PyTuple_SET_ITEM(t, 2, c);
    return t;
}

static PyObject *literal(Reader *r)
{
    const char *start = ++r->p, *p = start;
    int escaped = 0;
    while (p < r->end && *p != '"') {
        if (*p == '\n' || *p == '\r')
            return syntax_error(r, "a literal not closed on its line");
        if (*p == '\\') {
            escaped = 1;
            p++;
        }
        p++;
    }
    if (p >= r->end)
        return syntax_error(r, "a literal not closed on its line");
    PyObject *value = escaped ? unescaped(r, start, p - start, 1) : decode(r, start, p - start);
    if (value == NULL)
        return NULL;
    r->p = p + 1;
    PyObject *datatype, *lang;
    if (r->p + 2 < r->end && r->p[0] == '^' && r->p[1] == '^' && r->p[2] == '<') {
        r->p += 2;
        datatype = iri(r, 1);
        lang = r->empty;
        Py_INCREF(lang);
    } else if (r->p < r->end && *r->p == '@') {
        const char *l = ++r->p, *q = l;
        char tag[256];
        while (q < r->end && (Py_ISALNUM(*q) || *q == '-') && q - l < (Py_ssize_t)sizeof tag) {
            tag[q - l] = Py_TOLOWER(*q);
            q++;
        }
        if (q == l || !Py_ISALPHA(*l) || q - l >= (Py_ssize_t)sizeof tag) {
            Py_DECREF(value);
            return syntax_error(r, "a bad language tag");
        }
        r->p = q;
        lang = shared(r, tag, q - l);
        datatype = r->lang_string;
        Py_INCREF(datatype);
    } else {
        datatype = r->xsd_string;
        Py_INCREF(datatype);
        lang = r->empty;
        Py_INCREF(lang);
    }
    if (datatype == NULL || lang == NULL) {
        Py_DECREF(value);
        Py_XDECREF(datatype);
        Py_XDECREF(lang);
        return NULL;
    }
    return tuple3(value, datatype, lang);
}

static void release(Reader *r)
{
    if (r->has_view) {
        PyBuffer_Release(&r->view);
        r->has_view = 0;
    }
    r->p = r->end = NULL;
}

/* Past blank lines, comments and the end of the current line. */
static void next_line(Reader *r)
{
    for (;;) {
        skip_space(r);
        const char *p = r->p;
        if (p < r->end && *p == '#')
            while (p < r->end && *p != '\n' && *p != '\r')
                p++;
        if (p >= r->end) {
            r->p = p;
            return;
        }
        if (*p == '\r' || *p == '\n') {
            p += (*p == '\r' && p + 1 < r->end && p[1] == '\n') ? 2 : 1;
            r->line++;
            r->p = p;
            continue;
        }
        r->p = p;
        return;
    }
}

/* The next triple's terms (new references) into *ps, *pp, *po: 1, or 0 at the end, or -1 with an exception set. */
static int read_triple(Reader *r, PyObject **ps, PyObject **pp, PyObject **po)
{
    if (r->p == NULL)
        return 0;
    next_line(r);
    if (r->p >= r->end) {
        release(r);
        return 0;
    }
    PyObject *s = NULL, *p = NULL, *o = NULL;
    /* subject: the last one again when the bytes are the same */
    if (*r->p == '<') {
        const char *q = memchr(r->p, '>', r->end - r->p);
        Py_ssize_t n = q ? q - r->p - 1 : -1;
        if (r->subject && n == r->subject_len && memcmp(r->p + 1, r->subject_at, n) == 0) {
            s = r->subject;
            Py_INCREF(s);
            r->p = q + 1;
        } else {
            const char *at = r->p + 1;
            s = iri(r, 0);
            if (s != NULL) {
                Py_XSETREF(r->subject, s);
                Py_INCREF(s);
                r->subject_at = at;
                r->subject_len = r->p - at - 1;
            }
        }
    } else if (r->p + 1 < r->end && r->p[0] == '_' && r->p[1] == ':') {
        s = blank(r);
    } else {
        syntax_error(r, "a subject must be an IRI or a blank node");
    }
    if (s == NULL)
        goto fail;
    skip_space(r);
    if (r->p >= r->end || *r->p != '<') {
        syntax_error(r, "a predicate must be an IRI");
        goto fail;
    }
    p = iri(r, 1);
    if (p == NULL)
        goto fail;
    skip_space(r);
    if (r->p < r->end && *r->p == '<')
        o = iri(r, 0);
    else if (r->p < r->end && *r->p == '"')
        o = literal(r);
    else if (r->p + 1 < r->end && r->p[0] == '_' && r->p[1] == ':')
        o = blank(r);
    else
        syntax_error(r, "an object must be an IRI, a blank node or a literal");
    if (o == NULL)
        goto fail;
    skip_space(r);
    if (r->p >= r->end || *r->p != '.') {
        syntax_error(r, "a triple must end with '.'");
        goto fail;
    }
    r->p++;
    skip_space(r);
    if (!at_eol(r->p, r->end) && *r->p != '#') {
        syntax_error(r, "more after the triple's '.'");
        goto fail;
    }
    *ps = s;
    *pp = p;
    *po = o;
    return 1;
fail:
    Py_XDECREF(s);
    Py_XDECREF(p);
    Py_XDECREF(o);
    release(r); /* an error ends the reading */
    return -1;
}

static PyObject *reader_next(Reader *r)
{
    PyObject *s, *p, *o;
    if (read_triple(r, &s, &p, &o) <= 0)
        return NULL;
    return tuple3(s, p, o);
}

static void reader_dealloc(Reader *r)
{
    release(r);
    for (Py_ssize_t k = 0; k < SHARED_SLOTS; k++) {
        PyMem_Free(r->shared[k].bytes);
        Py_XDECREF(r->shared[k].str);
    }
    PyMem_Free(r->scratch);
    Py_XDECREF(r->subject);
    Py_XDECREF(r->xsd_string);
    Py_XDECREF(r->lang_string);
    Py_XDECREF(r->empty);
    PyObject_Free(r);
}

static PyObject *triples(PyObject *module, PyObject *data)
{
    Reader *r = PyObject_New(Reader, &ReaderType);
    if (r == NULL)
        return NULL;
    memset((char *)r + sizeof(PyObject), 0, sizeof(Reader) - sizeof(PyObject));
    r->line = 1;
    r->xsd_string = PyUnicode_FromString("http://www.w3.org/2001/XMLSchema#string");
    r->lang_string = PyUnicode_FromString("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString");
    r->empty = PyUnicode_FromString("");
    if (r->xsd_string == NULL || r->lang_string == NULL || r->empty == NULL
        || PyObject_GetBuffer(data, &r->view, PyBUF_SIMPLE) < 0) {
        Py_DECREF(r);
        return NULL;
    }
    r->has_view = 1;
    r->p = r->view.buf;
    r->end = r->p + r->view.len;
    return (PyObject *)r;
}

/* d[key] of a dict or defaultdict (its default made on a miss, as d[key] in Python): a borrowed reference. */
static PyObject *item(PyObject *d, PyObject *key)
{
    PyObject *v = PyDict_GetItemWithError(d, key);
    if (v != NULL || PyErr_Occurred())
        return v;
    v = PyObject_GetItem(d, key); /* defaultdict.__missing__ stores it */
    Py_XDECREF(v);                /* the dict holds it */
    return v;
}

static int append(PyObject *d, PyObject *key, PyObject *value)
{
    PyObject *list = item(d, key);
    return list == NULL ? -1 : PyList_Append(list, value);
}

/* One triple filed as rows._Collected.add_raw's loop files it (that loop is the rule; this is its compiled twin). */
static int file_one(PyObject *s, PyObject *p, PyObject *o, PyObject *types, PyObject *lits, PyObject *links,
                    PyObject *objects, PyObject *term_values, PyObject *rdf_type, PyObject *xsd_string, PyObject *empty)
{
    if (PyTuple_CheckExact(o)) {
        PyObject *by_p = item(lits, s);
        return by_p == NULL ? -1 : append(by_p, p, o);
    }
    int is_type = PyObject_RichCompareBool(p, rdf_type, Py_EQ);
    if (is_type < 0)
        return -1;
    if (is_type)
        return append(types, s, o);
    PyObject *value = PyDict_GetItemWithError(term_values, o);
    if (value == NULL && PyErr_Occurred())
        return -1;
    if (value != NULL) {
        PyObject *by_p = item(lits, s);
        if (by_p == NULL)
            return -1;
        PyObject *lit = PyTuple_Pack(3, value, xsd_string, empty);
        if (lit == NULL)
            return -1;
        int rc = append(by_p, p, lit);
        Py_DECREF(lit);
        return rc;
    }
    PyObject *pair = PyTuple_Pack(2, p, o);
    if (pair == NULL)
        return -1;
    int rc = append(links, s, pair);
    Py_DECREF(pair);
    return rc < 0 ? -1 : PySet_Add(objects, o);
}

/* file_triples(triples, types, lits, links, objects, term_values, rdf_type, xsd_string, on_group) -> count:
 * rows._Collected.add_raw's loop over a Reader (its terms filed without a tuple per triple) or any iterable of
 * (s, p, o) tuples. on_group(s), when not None, is called as the subject changes, with the one before, and at the end. */
static PyObject *file_triples(PyObject *module, PyObject *args)
{
    PyObject *src, *types, *lits, *links, *objects, *term_values, *rdf_type, *xsd_string, *on_group;
    if (!PyArg_ParseTuple(args, "OO!O!O!O!O!UUO", &src, &PyDict_Type, &types, &PyDict_Type, &lits, &PyDict_Type,
                          &links, &PySet_Type, &objects, &PyDict_Type, &term_values, &rdf_type, &xsd_string, &on_group))
        return NULL;
    if (on_group == Py_None)
        on_group = NULL;
    PyObject *empty = PyUnicode_FromString("");
    if (empty == NULL)
        return NULL;
    Reader *r = Py_IS_TYPE(src, &ReaderType) ? (Reader *)src : NULL;
    PyObject *it = r ? NULL : PyObject_GetIter(src);
    if (r == NULL && it == NULL) {
        Py_DECREF(empty);
        return NULL;
    }
    PyObject *prev = NULL;
    Py_ssize_t n = 0;
    int failed = 0;
    for (;;) {
        PyObject *s, *p, *o;
        if (r) {
            int got = read_triple(r, &s, &p, &o);
            if (got < 0) {
                failed = 1;
                break;
            }
            if (got == 0)
                break;
        } else {
            PyObject *t = PyIter_Next(it);
            if (t == NULL) {
                failed = PyErr_Occurred() != NULL;
                break;
            }
            if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3) {
                Py_DECREF(t);
                PyErr_SetString(PyExc_TypeError, "a triple must be a tuple (s, p, o)");
                failed = 1;
                break;
            }
            s = PyTuple_GET_ITEM(t, 0);
            p = PyTuple_GET_ITEM(t, 1);
            o = PyTuple_GET_ITEM(t, 2);
            Py_INCREF(s);
            Py_INCREF(p);
            Py_INCREF(o);
            Py_DECREF(t);
        }
        n++;
        int rc = 0;
        if (on_group != NULL && s != prev) {
            int same = prev == NULL ? 0 : PyObject_RichCompareBool(s, prev, Py_EQ);
            if (same < 0)
                rc = -1;
            else if (!same) {
                if (prev != NULL) {
                    PyObject *res = PyObject_CallOneArg(on_group, prev);
                    if (res == NULL)
                        rc = -1;
                    Py_XDECREF(res);
                }
                Py_INCREF(s);
                Py_XSETREF(prev, s);
            }
        }
        if (rc == 0)
            rc = file_one(s, p, o, types, lits, links, objects, term_values, rdf_type, xsd_string, empty);
        Py_DECREF(s);
        Py_DECREF(p);
        Py_DECREF(o);
        if (rc < 0) {
            failed = 1;
            break;
        }
    }
    if (!failed && on_group != NULL && prev != NULL) {
        PyObject *res = PyObject_CallOneArg(on_group, prev);
        if (res == NULL)
            failed = 1;
        Py_XDECREF(res);
    }
    Py_XDECREF(prev);
    Py_XDECREF(it);
    Py_DECREF(empty);
    return failed ? NULL : PyLong_FromSsize_t(n);
}

static PyTypeObject ReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kgraph.neo4j._ntriples.Reader",
    .tp_basicsize = sizeof(Reader),
    .tp_dealloc = (destructor)reader_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)reader_next,
};

static PyMethodDef methods[] = {
    {"triples", triples, METH_O, "An iterator of (subject, predicate, object) tuples from N-Triples bytes."},
    {"file_triples", file_triples, METH_VARARGS,
     "Triples filed by role into the mapping's tables, as rows._Collected.add_raw does; the count."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_ntriples", "N-Triples read as the mapping's tuples, compiled (see rows.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__ntriples(void)
{
    if (PyType_Ready(&ReaderType) < 0)
        return NULL;
    return PyModule_Create(&module);
}
