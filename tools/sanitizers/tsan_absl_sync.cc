// ThreadSanitizer build only (CALLCONTROL_SANITIZE=thread): tells TSan about absl::Mutex and
// absl::CondVar, which it cannot see.
//
// Debian's abseil (libabsl_synchronization.so) is not built with -fsanitize=thread, so its
// Mutex takes and gives back its lock with atomics and futex calls TSan neither instruments nor
// intercepts; without help every member guarded by an absl::Mutex and used from two threads is
// reported as a data race, and gRPC's own locks (gpr_mu is an absl::Mutex) carry no
// happens-before either. This library defines the Mutex and CondVar members that lock and
// unlock, and the dynamic linker binds every caller to them instead of abseil's (it comes before
// libabsl_synchronization.so in each executable's DT_NEEDED list: CMakeLists.txt links it first
// into every target). Each calls abseil's own function (found with dlsym(RTLD_NEXT)) and marks
// the mutex for TSan: __tsan_acquire(mu) after taking it, __tsan_release(mu) before giving it
// back, both around a wait that gives it back and takes it again (Await, CondVar::Wait). A
// Condition is evaluated by abseil with the mutex held, by the waiter or by whichever thread
// unlocks, so the functions that take one pass abseil a Condition of their own that evaluates
// the caller's between an acquire and a release of the mutex. That is
// what abseil's own annotations (ABSL_TSAN_MUTEX_*) tell TSan when abseil is built with it; lock
// order (deadlock) reports are not made.
//
// Source: TSan's manual annotations, <sanitizer/tsan_interface.h> (__tsan_acquire,
// __tsan_release), "ThreadSanitizerCppManual" in the google/sanitizers wiki.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

// The symbol names below are Debian 12's (abseil 20220623, inline namespace "debian3").
#define CALLCONTROL_STR2(x) #x
#define CALLCONTROL_STR(x) CALLCONTROL_STR2(x)
static_assert(sizeof(CALLCONTROL_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME)) == sizeof("debian3"),
              "tsan_absl_sync.cc names Debian 12's abseil symbols (absl::debian3::...)");

namespace {

// abseil's own definition of the member `name` (mangled), looked up once.
template <typename Fn>
Fn Real(const char* name) {
  void* fn = ::dlsym(RTLD_NEXT, name);
  if (fn == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: %s not found in abseil: %s\n", name, ::dlerror());
    std::abort();
  }
  return reinterpret_cast<Fn>(fn);
}

using LockFn = void (*)(absl::Mutex*);
using TryLockFn = bool (*)(absl::Mutex*);
using CondFn = void (*)(absl::Mutex*, const absl::Condition&);
using CondTimeoutFn = bool (*)(absl::Mutex*, const absl::Condition&, absl::Duration);
using CondDeadlineFn = bool (*)(absl::Mutex*, const absl::Condition&, absl::Time);
using WaitFn = void (*)(absl::CondVar*, absl::Mutex*);
using WaitTimeoutFn = bool (*)(absl::CondVar*, absl::Mutex*, absl::Duration);
using WaitDeadlineFn = bool (*)(absl::CondVar*, absl::Mutex*, absl::Time);

// The caller's condition, evaluated the way a critical section of `mu` runs for TSan (abseil
// evaluates it with `mu` held, in the waiting thread or in one that unlocks `mu`).
struct Annotated {
  const absl::Condition* cond;
  absl::Mutex* mu;
};

bool EvalAnnotated(Annotated* a) {
  __tsan_acquire(a->mu);
  const bool met = a->cond->Eval();
  __tsan_release(a->mu);
  return met;
}

// Tells TSan that `mu` is taken when the scope ends (after abseil's function has returned).
struct AcquireOnReturn {
  absl::Mutex* mu;
  ~AcquireOnReturn() { __tsan_acquire(mu); }
};

// Calls abseil's `real` (LockWhen*, ReaderLockWhen*, Await*), which returns with `mu` held, with
// `cond` evaluated as a critical section of `mu`. `held`: the caller holds `mu` already and abseil
// gives it back while it waits (Await*). `extra`: the timeout or deadline, if any.
template <typename R, typename... Extra>
R CallWithCondition(R (*real)(absl::Mutex*, const absl::Condition&, Extra...), absl::Mutex* mu,
                    const absl::Condition& cond, bool held, Extra... extra) {
  Annotated annotated{&cond, mu};
  if (held) __tsan_release(mu);
  AcquireOnReturn acquire{mu};
  return real(mu, absl::Condition(&EvalAnnotated, &annotated), extra...);
}

// Calls abseil's CondVar wait `real`, which gives `mu` back while it waits and takes it again.
template <typename R, typename... Extra>
R WaitReleasing(R (*real)(absl::CondVar*, absl::Mutex*, Extra...), absl::CondVar* cv,
                absl::Mutex* mu, Extra... extra) {
  __tsan_release(mu);
  AcquireOnReturn acquire{mu};
  return real(cv, mu, extra...);
}

#define CALLCONTROL_MUTEX(sym) "_ZN4absl7debian35Mutex" sym
#define CALLCONTROL_CONDVAR(sym) "_ZN4absl7debian37CondVar" sym

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static const auto real = Real<LockFn>(CALLCONTROL_MUTEX("4LockEv"));
  real(this);
  __tsan_acquire(this);
}

void Mutex::ReaderLock() {
  static const auto real = Real<LockFn>(CALLCONTROL_MUTEX("10ReaderLockEv"));
  real(this);
  __tsan_acquire(this);
}

bool Mutex::TryLock() {
  static const auto real = Real<TryLockFn>(CALLCONTROL_MUTEX("7TryLockEv"));
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  static const auto real = Real<TryLockFn>(CALLCONTROL_MUTEX("13ReaderTryLockEv"));
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

void Mutex::Unlock() {
  static const auto real = Real<LockFn>(CALLCONTROL_MUTEX("6UnlockEv"));
  __tsan_release(this);
  real(this);
}

void Mutex::ReaderUnlock() {
  static const auto real = Real<LockFn>(CALLCONTROL_MUTEX("12ReaderUnlockEv"));
  __tsan_release(this);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  static const auto real = Real<CondFn>(CALLCONTROL_MUTEX("8LockWhenERKNS0_9ConditionE"));
  return CallWithCondition(real, this, cond, /*held=*/false);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  static const auto real = Real<CondFn>(CALLCONTROL_MUTEX("14ReaderLockWhenERKNS0_9ConditionE"));
  return CallWithCondition(real, this, cond, /*held=*/false);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  static const auto real = Real<CondTimeoutFn>(
      CALLCONTROL_MUTEX("19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE"));
  return CallWithCondition(real, this, cond, /*held=*/false, timeout);
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  static const auto real =
      Real<CondDeadlineFn>(CALLCONTROL_MUTEX("20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE"));
  return CallWithCondition(real, this, cond, /*held=*/false, deadline);
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  static const auto real = Real<CondTimeoutFn>(
      CALLCONTROL_MUTEX("25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE"));
  return CallWithCondition(real, this, cond, /*held=*/false, timeout);
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  static const auto real = Real<CondDeadlineFn>(
      CALLCONTROL_MUTEX("26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE"));
  return CallWithCondition(real, this, cond, /*held=*/false, deadline);
}

void Mutex::Await(const Condition& cond) {
  static const auto real = Real<CondFn>(CALLCONTROL_MUTEX("5AwaitERKNS0_9ConditionE"));
  return CallWithCondition(real, this, cond, /*held=*/true);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  static const auto real =
      Real<CondTimeoutFn>(CALLCONTROL_MUTEX("16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE"));
  return CallWithCondition(real, this, cond, /*held=*/true, timeout);
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  static const auto real =
      Real<CondDeadlineFn>(CALLCONTROL_MUTEX("17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE"));
  return CallWithCondition(real, this, cond, /*held=*/true, deadline);
}

void CondVar::Wait(Mutex* mu) {
  static const auto real = Real<WaitFn>(CALLCONTROL_CONDVAR("4WaitEPNS0_5MutexE"));
  return WaitReleasing(real, this, mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  static const auto real =
      Real<WaitTimeoutFn>(CALLCONTROL_CONDVAR("15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE"));
  return WaitReleasing(real, this, mu, timeout);
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  static const auto real =
      Real<WaitDeadlineFn>(CALLCONTROL_CONDVAR("16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE"));
  return WaitReleasing(real, this, mu, deadline);
}

ABSL_NAMESPACE_END
}  // namespace absl
