//! An [`Agreement`] back to TOML text, in the starter file's shape (without
//! its comments). Used to normalise a file and by the round-trip property test.

use std::fmt::Write;

use super::*;

/// A TOML string literal (basic string, escaped as TOML requires).
fn s(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| s(i.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// A TOML float that parses back to the same f64.
fn float(x: f64) -> String {
    let text = format!("{x:?}");
    if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// A bare key when TOML allows one, else a quoted key.
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_string()
    } else {
        s(k)
    }
}

pub(super) fn print(a: &Agreement) -> String {
    let mut o = String::new();
    // Writing into a String cannot fail: the results are ignored below.
    let _ = write_all(&mut o, a);
    o
}

fn write_all(o: &mut String, a: &Agreement) -> std::fmt::Result {
    writeln!(o, "version = {}", a.version)?;
    writeln!(o, "name = {}", s(&a.name))?;
    writeln!(o, "effective = {}", s(&a.effective))?;
    for st in &a.stages {
        writeln!(o, "\n[stages.{}]", key(&st.name))?;
        writeln!(o, "description = {}", s(&st.description))?;
        writeln!(o, "from = {}", list(&st.from))?;
        writeln!(o, "when = {}", s(st.when.source()))?;
    }
    for p in &a.personas {
        writeln!(o, "\n[personas.{}]", key(&p.name))?;
        writeln!(o, "description = {}", s(&p.description))?;
        if let Some(w) = &p.when {
            writeln!(o, "when = {}", s(w.source()))?;
        }
    }
    if a.journey_stages.is_empty() {
        writeln!(o, "\n[journey_stages]")?;
    }
    for j in &a.journey_stages {
        writeln!(o, "\n[journey_stages.{}]", key(&j.name))?;
        writeln!(o, "description = {}", s(&j.description))?;
    }
    writeln!(
        o,
        "\n[scoring]\nmql_threshold = {}",
        a.scoring.mql_threshold
    )?;
    if a.scoring.fit.is_empty() {
        writeln!(o, "fit = []")?;
    }
    for r in &a.scoring.fit {
        writeln!(o, "\n[[scoring.fit]]")?;
        write_rule(o, r)?;
    }
    let e = &a.scoring.engagement;
    writeln!(
        o,
        "\n[scoring.engagement]\nhalf_life_days = {}",
        float(e.half_life_days)
    )?;
    writeln!(o, "\n[scoring.engagement.points]")?;
    for (kind, points) in &e.points {
        writeln!(o, "{} = {points}", key(kind.as_str()))?;
    }
    for r in &e.rules {
        writeln!(o, "\n[[scoring.engagement.rules]]")?;
        write_rule(o, r)?;
    }
    write_routing(o, &a.routing)?;
    let sales = &a.sla.sales;
    writeln!(o, "\n[sla.sales]")?;
    writeln!(o, "follow_up_hours = {}", sales.follow_up.hours())?;
    writeln!(o, "follow_up_attempts = {}", sales.follow_up_attempts)?;
    writeln!(o, "decide_hours = {}", sales.decide.hours())?;
    writeln!(o, "rejection_reasons = {}", list(&sales.rejection_reasons))?;
    if sales.business_hours {
        writeln!(o, "business_hours = true")?;
    }
    let m = &a.sla.marketing;
    writeln!(
        o,
        "\n[sla.marketing]\nmin_acceptance_rate = {}",
        float(m.min_acceptance_rate)
    )?;
    writeln!(o, "\n[sla.marketing.default_monthly_mql_targets]")?;
    for (region, n) in &m.default_monthly_mql_targets {
        writeln!(o, "{} = {n}", key(region))?;
    }
    for step in &a.sla.escalation {
        writeln!(
            o,
            "\n[[sla.escalation]]\nname = {}\non = {}",
            s(&step.name),
            s(step.on.as_str())
        )?;
        if !step.reasons.is_empty() {
            writeln!(o, "reasons = {}", list(&step.reasons))?;
        }
        writeln!(
            o,
            "after_hours = {}\nnotify = {}",
            step.after.hours(),
            s(step.notify.as_str())
        )?;
    }
    let at = &a.attribution;
    writeln!(o, "\n[attribution]")?;
    writeln!(o, "lookback_days = {}", at.lookback.days())?;
    writeln!(o, "half_life_days = {}", float(at.half_life_days))?;
    writeln!(o, "models = {}", list(at.models.iter().map(|m| m.as_str())))?;
    Ok(())
}

fn write_routing(o: &mut String, routing: &Routing) -> std::fmt::Result {
    writeln!(o, "\n[routing]\non = {}", s(&routing.on))?;
    if let Some(h) = &routing.hours {
        let zones: Vec<String> = h
            .zones
            .iter()
            .map(|(region, zone)| format!("{} = {}", key(region), s(zone)))
            .collect();
        writeln!(o, "\n[routing.hours]")?;
        if zones.is_empty() {
            writeln!(o, "zones = {{}}")?;
        } else {
            writeln!(o, "zones = {{ {} }}", zones.join(", "))?;
        }
        let days = h
            .days
            .iter()
            .filter_map(|&d| WorkingHours::DAY_NAMES.get(usize::from(d)));
        writeln!(o, "days = {}", list(days))?;
        writeln!(o, "start = {}", s(&hhmm(h.start_minute)))?;
        writeln!(o, "end = {}", s(&hhmm(h.end_minute)))?;
    }
    for r in &routing.rules {
        writeln!(o, "\n[[routing.rules]]\nname = {}", s(&r.name))?;
        if let Some(team) = r.team {
            writeln!(o, "team = {}", s(team.as_str()))?;
        }
        writeln!(
            o,
            "when = {}\nassign = {}",
            s(r.when.source()),
            s(r.assign.as_str())
        )?;
        if !r.respect_capacity {
            writeln!(o, "respect_capacity = false")?;
        }
    }
    Ok(())
}

/// Minutes after midnight as `HH:MM` (1440 is `24:00`).
pub(super) fn hhmm(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn write_rule(o: &mut String, r: &ScoreRule) -> std::fmt::Result {
    writeln!(
        o,
        "name = {}\nwhen = {}\npoints = {}",
        s(&r.name),
        s(r.when.source()),
        r.points
    )
}
