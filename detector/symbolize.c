/* Symbolization with elfutils libdw: a pc becomes its function, file and line,
 * with one frame per inlined call (innermost first). Falls back to the ELF
 * symbol tables, then to dladdr. Results are cached per pc for the life of
 * the process.
 *
 * libdw is not thread-safe: one mutex serialises every Dwfl call and every
 * cache insertion. Lookups of a cached pc take no lock (entries are published
 * with release stores and never change or go away). */
#include "stack.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TG_SYM_MAX_INLINE  32 /* inlined frames kept per pc */
#define TG_SYM_BUCKETS     8192
#define TG_SYM_STR_BUCKETS 4096

struct sym_entry {
  struct sym_entry *next; /* immutable once published */
  uintptr_t pc;
  bool exact;
  int n;
  struct tg_frame frames[];
};

struct sym_str {
  struct sym_str *next;
  char s[];
};

/* The symbolizer's state, one per process. `lock` guards everything but the
 * cache buckets' lock-free reads. */
static struct {
  pthread_mutex_t lock;
  Dwfl *dwfl;
  bool dwfl_failed;
  bool cwd_known;
  char *stack; /* where misses run (see symbolize_on_own_stack) */
  bool stack_failed;
  char cwd[PATH_MAX];
  size_t cwd_len;
  _Atomic(struct sym_entry *) buckets[TG_SYM_BUCKETS];
  struct sym_str *strs[TG_SYM_STR_BUCKETS];
} sym = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int open_debug_file(const char *path, char **found) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    *found = strdup(path);
    if (*found == NULL) {
      close(fd);
      return -1;
    }
  }
  return fd;
}

/* Separate debug info, looked up on this machine only: by build-id under
 * /usr/lib/debug/.build-id, then by .gnu_debuglink next to the file, in its
 * .debug directory and under /usr/lib/debug. Not libdw's standard lookup:
 * with DEBUGINFOD_URLS set (Debian's login shells set it) that one fetches
 * missing debug info over the network, in the middle of a report. Returns
 * -1 when there is none: libdw then uses the file's own DWARF, if any. */
static int find_debuginfo_local(Dwfl_Module *mod, void **userdata, const char *modname,
                                GElf_Addr base, const char *file_name, const char *debuglink_file,
                                GElf_Word debuglink_crc, char **debuginfo_file_name) {
  (void)userdata;
  (void)modname;
  (void)base;
  (void)debuglink_crc;
  char path[PATH_MAX];
  const unsigned char *id;
  GElf_Addr id_vaddr;
  int idlen = dwfl_module_build_id(mod, &id, &id_vaddr);
  if (idlen > 1 && (size_t)idlen * 2 + 40 < sizeof path) {
    size_t n = (size_t)snprintf(path, sizeof path, "/usr/lib/debug/.build-id/%02x/", id[0]);
    for (int i = 1; i < idlen; i++)
      n += (size_t)snprintf(path + n, sizeof path - n, "%02x", id[i]);
    snprintf(path + n, sizeof path - n, ".debug");
    int fd = open_debug_file(path, debuginfo_file_name);
    if (fd >= 0)
      return fd;
  }
  if (debuglink_file == NULL || file_name == NULL || strchr(debuglink_file, '/') != NULL)
    return -1;
  const char *slash = strrchr(file_name, '/');
  int dirlen = slash != NULL ? (int)(slash - file_name) : 0;
  static const char *const forms[] = {"%.*s/%s", "%.*s/.debug/%s", "/usr/lib/debug%.*s/%s"};
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    if (snprintf(path, sizeof path, forms[i], dirlen, file_name, debuglink_file) >=
        (int)sizeof path)
      continue;
    if (strcmp(path, file_name) == 0)
      continue; /* the debuglink names the file itself */
    int fd = open_debug_file(path, debuginfo_file_name);
    if (fd >= 0)
      return fd;
  }
  return -1;
}

static const Dwfl_Callbacks sym_callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = find_debuginfo_local,
};

static void sym_lock(void);
static void sym_unlock(void);

/* The working directory at start-up, before the program may chdir away:
 * file paths under it are shown relative to it. Taken by a constructor, or
 * at the first lookup (lock held) if another constructor symbolizes first. */
static void init_cwd(void) {
  if (sym.cwd_known)
    return;
  if (getcwd(sym.cwd, sizeof sym.cwd) == NULL || strcmp(sym.cwd, "/") == 0)
    sym.cwd[0] = '\0';
  sym.cwd_len = strlen(sym.cwd);
  sym.cwd_known = true;
}

__attribute__((constructor)) static void symbolize_init_cwd(void) {
  sym_lock();
  init_cwd();
  sym_unlock();
}

static uint64_t hash_bytes(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

static size_t pc_bucket(uintptr_t pc, bool exact) {
  uint64_t h = ((uint64_t)pc ^ (exact ? 0x9e3779b97f4a7c15ull : 0)) * 0xff51afd7ed558ccdull;
  return (size_t)(h >> 32) % TG_SYM_BUCKETS;
}

/* Interns a string (lock held): the returned copy lives forever. */
static const char *intern_n(const char *s, size_t n) {
  if (s == NULL)
    return NULL;
  size_t b = hash_bytes(s, n) % TG_SYM_STR_BUCKETS;
  for (struct sym_str *e = sym.strs[b]; e != NULL; e = e->next)
    if (strncmp(e->s, s, n) == 0 && e->s[n] == '\0')
      return e->s;
  struct sym_str *e = malloc(sizeof *e + n + 1);
  if (e == NULL)
    return "?";
  memcpy(e->s, s, n);
  e->s[n] = '\0';
  e->next = sym.strs[b];
  sym.strs[b] = e;
  return e->s;
}

static const char *intern(const char *s) {
  return s == NULL ? NULL : intern_n(s, strlen(s));
}

/* A path as reports show it: lexically normalised ("a/./b", "a/x/../b"),
 * then relative to the start-up directory when it lies under it. */
static const char *shorten_path(const char *path) {
  if (path == NULL || path[0] == '\0')
    return NULL;
  char buf[PATH_MAX];
  size_t len = 0;
  bool absolute = path[0] == '/';
  const char *p = path;
  while (*p != '\0') {
    while (*p == '/')
      p++;
    const char *seg = p;
    while (*p != '\0' && *p != '/')
      p++;
    size_t seglen = (size_t)(p - seg);
    if (seglen == 0 || (seglen == 1 && seg[0] == '.'))
      continue;
    if (seglen == 2 && seg[0] == '.' && seg[1] == '.') {
      /* Drop the previous segment unless there is none or it is "..". */
      size_t start = len;
      while (start > 0 && buf[start - 1] != '/')
        start--;
      bool prev_dotdot = len - start == 2 && buf[start] == '.' && buf[start + 1] == '.';
      if (len > 0 && !prev_dotdot) {
        len = start > 0 ? start - 1 : 0;
        continue;
      }
      if (absolute && len == 0)
        continue; /* "/.." is "/" */
    }
    if (len + seglen + 2 >= sizeof buf)
      return intern(path); /* absurdly long: keep as given */
    if (len > 0 || absolute)
      buf[len++] = '/';
    memcpy(buf + len, seg, seglen);
    len += seglen;
  }
  buf[len] = '\0';
  if (absolute && len == 0)
    return intern("/");
  init_cwd();
  size_t cl = sym.cwd_len;
  if (absolute && cl > 0 && len > cl + 1 && strncmp(buf, sym.cwd, cl) == 0 && buf[cl] == '/')
    return intern(buf + cl + 1);
  return intern(buf);
}

/* Whether this thread holds sym.lock: a crash inside libdw reported by a
 * signal handler on the same thread must not wait for it, and the race
 * build's libc interposers ask (tg__symbolizer_active). Nothing inside the
 * lock parks a goroutine, so the thread cannot change under it. */
static __thread bool sym_held;

const char *tg__stack_path(const char *path) {
  if (path == NULL)
    return NULL;
  if (sym_held)
    return path; /* re-entered from a crash inside the symbolizer */
  sym_lock();
  const char *r = shorten_path(path);
  sym_unlock();
  return r;
}

bool tg__symbolizer_active(void) {
  return sym_held;
}

static void sym_lock(void) {
  pthread_mutex_lock(&sym.lock);
  sym_held = true;
}

static void sym_unlock(void) {
  sym_held = false;
  pthread_mutex_unlock(&sym.lock);
}

/* Reports the process's mappings to libdw (lock held). Called at the first
 * lookup and again when a pc falls in no known module (a dlopen since). */
static void report_modules(void) {
  if (sym.dwfl_failed)
    return;
  if (sym.dwfl == NULL) {
    sym.dwfl = dwfl_begin(&sym_callbacks);
    if (sym.dwfl == NULL) {
      sym.dwfl_failed = true;
      return;
    }
    dwfl_report_begin(sym.dwfl);
  } else {
    dwfl_report_begin_add(sym.dwfl);
  }
  if (dwfl_linux_proc_report(sym.dwfl, getpid()) != 0) {
    dwfl_report_end(sym.dwfl, NULL, NULL);
    return;
  }
  dwfl_report_end(sym.dwfl, NULL, NULL);
}

static Dwfl_Module *find_module(Dwarf_Addr addr) {
  if (sym.dwfl == NULL)
    report_modules();
  if (sym.dwfl == NULL)
    return NULL;
  Dwfl_Module *mod = dwfl_addrmodule(sym.dwfl, addr);
  if (mod == NULL) {
    report_modules();
    mod = dwfl_addrmodule(sym.dwfl, addr);
  }
  return mod;
}

/* A function's name, following DW_AT_abstract_origin / DW_AT_specification
 * (inlined and out-of-line instances carry no name of their own). */
static const char *die_function_name(Dwarf_Die *die) {
  Dwarf_Attribute attr;
  const char *name = NULL;
  if (dwarf_attr_integrate(die, DW_AT_name, &attr) != NULL)
    name = dwarf_formstring(&attr);
  if (name == NULL && dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) != NULL)
    name = dwarf_formstring(&attr);
  return name;
}

/* Where an inlined subroutine was called from (its DW_AT_call_file/line). */
static void die_call_site(Dwarf_Die *inl, const char **file, int *line) {
  Dwarf_Attribute attr;
  Dwarf_Word v;
  *file = NULL;
  *line = 0;
  if (dwarf_attr(inl, DW_AT_call_line, &attr) != NULL && dwarf_formudata(&attr, &v) == 0)
    *line = (int)v;
  if (dwarf_attr(inl, DW_AT_call_file, &attr) != NULL && dwarf_formudata(&attr, &v) == 0) {
    Dwarf_Die cu;
    Dwarf_Files *files;
    size_t nfiles;
    if (dwarf_diecu(inl, &cu, NULL, NULL) != NULL && dwarf_getsrcfiles(&cu, &files, &nfiles) == 0 &&
        v < nfiles)
      *file = dwarf_filesrc(files, v, NULL, NULL);
  }
}

/* The compilation unit holding `addr`. libdw (before 0.191) finds it only
 * through .debug_aranges, which clang does not emit: for a clang CU it finds
 * none, or in a program mixing compilers the gcc CU whose range comes
 * before. Its answer is checked, and otherwise the CUs' own ranges are
 * searched one by one (results are cached per pc anyway). */
static Dwarf_Die *find_cu(Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Addr *bias) {
  Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, bias);
  if (cu != NULL && dwarf_haspc(cu, addr - *bias) > 0)
    return cu;
  cu = NULL;
  while ((cu = dwfl_module_nextcu(mod, cu, bias)) != NULL)
    if (dwarf_haspc(cu, addr - *bias) > 0)
      return cu;
  return NULL;
}

/* Fills frames for `addr` (the instruction to describe) from the DWARF
 * scopes of its CU: one frame per enclosing inlined subroutine, then the
 * containing function. Returns 0 if DWARF does not know the function. */
static int frames_from_dwarf(Dwfl_Module *mod, Dwarf_Addr addr, struct tg_frame *out, int max) {
  Dwarf_Addr bias = 0;
  Dwarf_Die *cudie = find_cu(mod, addr, &bias);
  if (cudie == NULL)
    return 0;
  const char *file = NULL;
  int line = 0;
  Dwarf_Line *l = dwarf_getsrc_die(cudie, addr - bias);
  if (l != NULL) {
    file = dwarf_linesrc(l, NULL, NULL);
    if (dwarf_lineno(l, &line) != 0)
      line = 0;
  }
  /* dwarf_getscopes gives lexical scopes: inside an inlined body it goes on
   * with the abstract definition's parents, not the caller. The innermost
   * scope's DIE-tree parents are the physical nesting we want. */
  Dwarf_Die *scopes = NULL;
  int nscopes = dwarf_getscopes(cudie, addr - bias, &scopes);
  if (nscopes > 0) {
    Dwarf_Die innermost = scopes[0];
    free(scopes);
    scopes = NULL;
    nscopes = dwarf_getscopes_die(&innermost, &scopes);
  }
  int n = 0;
  for (int i = 0; i < nscopes && n < max; i++) {
    int tag = dwarf_tag(&scopes[i]);
    if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
      continue;
    const char *name = die_function_name(&scopes[i]);
    out[n].function = intern(name != NULL ? name : "?");
    out[n].file = shorten_path(file);
    out[n].line = line;
    out[n].inlined = tag == DW_TAG_inlined_subroutine;
    n++;
    if (tag == DW_TAG_subprogram)
      break;
    die_call_site(&scopes[i], &file, &line);
  }
  free(scopes);
  if (n > 0 && out[n - 1].inlined) {
    /* The chain was cut by `max`, or the outer function is missing: the
     * last frame stands for the physical one. */
    out[n - 1].inlined = false;
  }
  if (n == 0 && file != NULL) {
    /* Line info without a subprogram DIE (e.g. assembly): the symbol table
     * names the function. */
    const char *name = dwfl_module_addrname(mod, addr);
    out[0].function = intern(name != NULL ? name : "?");
    out[0].file = shorten_path(file);
    out[0].line = line;
    out[0].inlined = false;
    n = 1;
  }
  return n;
}

/* Symbolizes `addr` into out[0..max) (lock held); at least one frame. */
static int symbolize_locked(uintptr_t addr, struct tg_frame *out, int max) {
  int n = 0;
  Dwfl_Module *mod = find_module((Dwarf_Addr)addr);
  if (mod != NULL) {
    n = frames_from_dwarf(mod, (Dwarf_Addr)addr, out, max);
    if (n == 0) {
      const char *name = dwfl_module_addrname(mod, (Dwarf_Addr)addr);
      if (name != NULL) {
        out[0].function = intern(name);
        out[0].file = NULL;
        out[0].line = 0;
        out[0].inlined = false;
        n = 1;
      }
    }
  }
  if (n == 0) {
    Dl_info info;
    out[0].function = intern("?");
    out[0].file = NULL;
    out[0].line = 0;
    out[0].inlined = false;
    if (dladdr((void *)addr, &info) != 0 && info.dli_sname != NULL)
      out[0].function = intern(info.dli_sname);
    n = 1;
  }
  return n;
}

/* libdw needs far more stack (about 160 KiB measured) than a goroutine
 * has, so cache misses run on a stack of their own. One is enough: misses
 * are serialised by the lock, which the caller holds. */
#define TG_SYM_STACK_SIZE (1u << 20)

struct symbolize_call {
  uintptr_t addr;
  struct tg_frame *out;
  int max, n;
};

static void symbolize_call(void *p) {
  struct symbolize_call *c = p;
  c->n = symbolize_locked(c->addr, c->out, c->max);
}

/* Calls fn(arg) with the stack pointer at `top` (16-byte aligned), back on
 * the caller's stack when it returns. fn follows the C ABI, so only the
 * caller-saved registers need declaring as clobbered; the old stack pointer
 * waits in rbx, which the callee preserves. */
static void call_on_stack(void (*fn)(void *), void *arg, char *top) {
#if defined(__x86_64__)
  __asm__ volatile("mov %%rsp, %%rbx\n\t"
                   "mov %[top], %%rsp\n\t"
                   "call *%[fn]\n\t"
                   "mov %%rbx, %%rsp"
                   : "+D"(arg)
                   : [fn] "r"(fn), [top] "r"(top)
                   : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "xmm0", "xmm1",
                     "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                     "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "st", "st(1)", "st(2)", "st(3)",
                     "st(4)", "st(5)", "st(6)", "st(7)", "memory", "cc");
#else
  (void)top;
  fn(arg);
#endif
}

static int symbolize_on_own_stack(uintptr_t addr, struct tg_frame *out, int max) {
  struct symbolize_call c = {addr, out, max, 0};
  if (sym.stack == NULL && !sym.stack_failed) {
    /* A guard page below catches an overflow as a crash, not corruption. */
    char *m = mmap(NULL, TG_SYM_STACK_SIZE + 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (m == MAP_FAILED || mprotect(m, 4096, PROT_NONE) != 0)
      sym.stack_failed = true;
    else
      sym.stack = m + 4096;
  }
  if (sym.stack == NULL)
    symbolize_call(&c);
  else
    call_on_stack(symbolize_call, &c, sym.stack + TG_SYM_STACK_SIZE);
  return c.n;
}

static const struct sym_entry *cache_find(uintptr_t pc, bool exact) {
  size_t b = pc_bucket(pc, exact);
  for (const struct sym_entry *e = atomic_load_explicit(&sym.buckets[b], memory_order_acquire);
       e != NULL; e = e->next)
    if (e->pc == pc && e->exact == exact)
      return e;
  return NULL;
}

static int copy_out(const struct sym_entry *e, struct tg_frame *out, int max) {
  int n = e->n < max ? e->n : max;
  memcpy(out, e->frames, (size_t)n * sizeof *out);
  if (n < e->n && n > 0)
    out[n - 1].inlined = false; /* cut: the last one stands for the call */
  return n;
}

static int symbolize(uintptr_t pc, bool exact, struct tg_frame *out, int max) {
  if (out == NULL || max <= 0)
    return 0;
  const struct sym_entry *e = cache_find(pc, exact);
  if (e != NULL)
    return copy_out(e, out, max);
  /* Re-entered from a signal handler on the thread that holds the lock
   * (a crash inside libdw): no symbols rather than a deadlock. */
  if (sym_held) {
    out[0] = (struct tg_frame){.pc = pc, .function = "?"};
    return 1;
  }
  sym_lock();
  e = cache_find(pc, exact);
  if (e == NULL) {
    struct tg_frame tmp[TG_SYM_MAX_INLINE];
    /* A return address's call instruction is the byte before it. */
    uintptr_t addr = exact || pc == 0 ? pc : pc - 1;
    int n = symbolize_on_own_stack(addr, tmp, TG_SYM_MAX_INLINE);
    struct sym_entry *ne = malloc(sizeof *ne + (size_t)n * sizeof ne->frames[0]);
    if (ne == NULL) {
      sym_unlock();
      int m = n < max ? n : max;
      for (int i = 0; i < m; i++) {
        out[i] = tmp[i];
        out[i].pc = pc;
      }
      return m;
    }
    ne->pc = pc;
    ne->exact = exact;
    ne->n = n;
    for (int i = 0; i < n; i++) {
      ne->frames[i] = tmp[i];
      ne->frames[i].pc = pc;
    }
    size_t b = pc_bucket(pc, exact);
    ne->next = atomic_load_explicit(&sym.buckets[b], memory_order_relaxed);
    atomic_store_explicit(&sym.buckets[b], ne, memory_order_release);
    e = ne;
  }
  sym_unlock();
  return copy_out(e, out, max);
}

int tg__symbolize(uintptr_t pc, struct tg_frame *out, int max) {
  return symbolize(pc, false, out, max);
}

int tg__symbolize_exact(uintptr_t pc, struct tg_frame *out, int max) {
  return symbolize(pc, true, out, max);
}
