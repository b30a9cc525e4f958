//! Evaluating a lowered rule allocates nothing: every rule of the starter
//! agreement, over a `Scope`, many times, under a counting allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use accord_core::agreement::{parse, DEFAULT_AGREEMENT};
use accord_core::expr::{Lowered, Scope, Val, Var, ACCOUNT, EVENT, LEAD, REP, TOUCH};

struct Counting;

thread_local! {
    /// This thread's allocations while counting (tests run on threads of
    /// their own, beside the harness's).
    static COUNT: Cell<Option<usize>> = const { Cell::new(None) };
}

fn count() {
    let _ = COUNT.try_with(|c| c.set(c.get().map(|n| n + 1)));
}

/// How many allocations `f` made on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    COUNT.with(|c| c.set(Some(0)));
    let out = f();
    let n = COUNT.with(|c| c.replace(None)).unwrap_or(0);
    (out, n)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A scope over fixed values: what an engine's state looks like to a rule.
struct Fixed {
    lead: Vec<Val<'static>>,
    account: Vec<Val<'static>>,
    touch: Vec<Val<'static>>,
    rep: Vec<Val<'static>>,
    event: Vec<Val<'static>>,
    now: i64,
}

impl Scope for Fixed {
    fn field(&self, var: Var, field: usize) -> Val<'_> {
        let record = match var {
            Var::Lead => &self.lead,
            Var::Account => &self.account,
            Var::Touch => &self.touch,
            Var::Rep => &self.rep,
            Var::Event => &self.event,
            Var::Now | Var::MqlThreshold => return Val::Int(0),
        };
        record[field]
    }
    fn now(&self) -> i64 {
        self.now
    }
}

/// Every field of `object` from `pick(name)`, or its zero value.
fn values(
    object: &accord_core::expr::Object,
    pick: &dyn Fn(&str) -> Option<Val<'static>>,
) -> Vec<Val<'static>> {
    use accord_core::expr::FieldType as F;
    object
        .fields
        .iter()
        .map(|f| {
            pick(f.name).unwrap_or(match f.ty {
                F::Bool => Val::Bool(false),
                F::Int => Val::Int(0),
                F::Double => Val::Double(0.0),
                F::String => Val::Str(""),
                F::Timestamp => Val::Timestamp(0),
            })
        })
        .collect()
}

fn scope(i: usize) -> Fixed {
    let titles = ["Chief Technology Officer", "CFO", "Student", "IT manager"];
    let seniorities = ["c_level", "vp", "student", "manager"];
    let kinds = ["accepted", "rejected", "opportunity_lost", "created"];
    let reasons = ["no_budget", "student", "", "duplicate"];
    let lead = values(&LEAD, &|f| match f {
        "title" => Some(Val::Str(titles[i % 4])),
        "seniority" => Some(Val::Str(seniorities[i % 4])),
        "industry" => Some(Val::Str(["software", "retail"][i % 2])),
        "region" => Some(Val::Str(["EMEA", "NA"][i % 2])),
        "employees" => Some(Val::Int([50, 500, 200, 0][i % 4])),
        "score" => Some(Val::Int([70, 10, 60, 59][i % 4])),
        "free_mail" => Some(Val::Bool(i.is_multiple_of(3))),
        "created_at" => Some(Val::Timestamp(1_750_000_000)),
        _ => None,
    });
    let account = values(&ACCOUNT, &|f| match f {
        "employees" => Some(Val::Int([5000, 0][i % 2])),
        "named" => Some(Val::Bool(i.is_multiple_of(2))),
        "owner_rep_id" => Some(Val::Str("R7")),
        _ => None,
    });
    let touch = values(&TOUCH, &|f| match f {
        "journey_stage" => Some(Val::Str(["decision", "awareness"][i % 2])),
        "occurred_at" => Some(Val::Timestamp(1_759_000_000)),
        _ => None,
    });
    let rep = values(&REP, &|f| match f {
        "id" => Some(Val::Str(["R7", "R8"][i % 2])),
        "region" => Some(Val::Str("EMEA")),
        "vertical" => Some(Val::Str(["software", ""][i % 2])),
        _ => None,
    });
    let event = values(&EVENT, &|f| match f {
        "kind" => Some(Val::Str(kinds[i % 4])),
        "reason" => Some(Val::Str(reasons[i % 4])),
        _ => None,
    });
    Fixed {
        lead,
        account,
        touch,
        rep,
        event,
        now: 1_760_000_000,
    }
}

#[test]
fn lowered_rules_evaluate_without_allocating() {
    let agreement = parse(DEFAULT_AGREEMENT, "accord.toml").unwrap();
    let mql = i64::from(agreement.mql_threshold());
    let rules: Vec<_> = agreement.rules().collect();
    for r in &rules {
        assert!(matches!(r.lowered(), Lowered::Fast(_)), "{}", r.source());
    }
    let scopes: Vec<Fixed> = (0..8).map(scope).collect();
    // Once around first: a regular expression builds its matching cache
    // (per thread) on its first search.
    let mut trues = 0usize;
    for s in &scopes {
        for r in &rules {
            trues += usize::from(r.test(s, mql).unwrap());
        }
    }
    assert!(trues > 0 && trues < scopes.len() * rules.len());
    let (again, n) = allocations(|| {
        let mut again = 0usize;
        for _ in 0..2_000 {
            for s in &scopes {
                for r in &rules {
                    again += usize::from(r.test(s, mql).unwrap());
                }
            }
        }
        again
    });
    assert_eq!(again, trues * 2_000);
    assert_eq!(n, 0, "allocations while evaluating");
}

#[test]
fn the_cel_path_allocates() {
    // The counter can fail: the same rules through cel allocate.
    let agreement = parse(DEFAULT_AGREEMENT, "accord.toml").unwrap();
    let rule = &agreement.stage("mql").unwrap().when;
    let s = scope(0);
    let (cel, n) = allocations(|| rule.test_cel(&s, 60));
    assert_eq!(cel, rule.test(&s, 60));
    assert!(n > 0);
}
