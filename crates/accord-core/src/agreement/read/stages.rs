//! `[stages.*]`, `[personas.*]` and `[journey_stages.*]`: the agreement's
//! own vocabularies, stage criteria and transitions (every stage reachable).

use super::*;

impl Reader<'_> {
    pub(super) fn stages(&mut self, v: &Val<'_>) -> Option<Vec<Stage>> {
        let t = self.table(v, "stages")?;
        if self.too_many_keys(&t, MAX_NAMES, "stages") {
            return None;
        }
        let mut stages = Vec::new();
        let mut spans: Vec<StageNode> = Vec::new();
        let mut ok = true;
        for (key, value) in entries(t.t) {
            let name = key.get_ref().to_string();
            let path = format!("stages.{name}");
            let Some(st) = self.table(value, &path) else {
                ok = false;
                continue;
            };
            self.check_keys(&st, &["description", "from", "when"]);
            let st = Tbl {
                span: key.span(),
                ..st
            };
            let description = self
                .get(&st, "description", "\"...\"")
                .and_then(|v| self.string(v, &format!("{path}.description")));
            let from = match st.t.get("from") {
                Some(v) => self.str_list(v, &format!("{path}.from"), "[\"lead\"]"),
                None if name == "lead" => Some(Vec::new()),
                None => {
                    self.get(&st, "from", "[\"lead\"]");
                    None
                }
            };
            if let Some(from) = &from {
                for (f, span) in from {
                    let stages = self.vocab.stages.clone();
                    let known: Vec<&str> = stages.iter().map(String::as_str).collect();
                    if !self.one_of(f, span.clone(), "stage", &known) {
                        ok = false;
                    }
                }
            }
            let when = self
                .get(&st, "when", "\"lead.score >= mql_threshold\"")
                .and_then(|v| self.expr(v, &format!("{path}.when"), RuleKind::StageEntry));
            let never = when
                .as_ref()
                .is_some_and(|w: &Expr| w.source().trim() == "false");
            match (description, from, when) {
                (Some(description), Some(from), Some(when)) => {
                    spans.push((name.clone(), key.span(), from.clone(), never));
                    stages.push(Stage {
                        name,
                        description,
                        from: from.into_iter().map(|(f, _)| f).collect(),
                        when,
                    });
                }
                _ => ok = false,
            }
        }
        // The engine and reports know the core stages by name.
        let header = self.first_line(t.span.clone());
        for core in CORE_STAGES {
            if !self.vocab.stages.iter().any(|s| s == core) {
                self.push(
                    Diagnostic::new(
                        header.clone(),
                        format!("stage `{core}` is missing"),
                        "stages are declared here",
                    )
                    .help(format!(
                        "add a [stages.{core}] section: every agreement defines {}",
                        CORE_STAGES.join(", ")
                    )),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        // Reachability: a stage is reachable when one of its `from` stages is.
        let mut reachable: HashSet<&str> = HashSet::from(["lead"]);
        loop {
            let before = reachable.len();
            for (name, _, from, never) in &spans {
                if !never && from.iter().any(|(f, _)| reachable.contains(f.as_str())) {
                    reachable.insert(name);
                }
            }
            if reachable.len() == before {
                break;
            }
        }
        let mut all_reachable = true;
        for (name, span, from, never) in &spans {
            if reachable.contains(name.as_str()) {
                continue;
            }
            all_reachable = false;
            let help = if *never {
                "its criterion is `false`: give it a condition that can hold".to_string()
            } else if from.is_empty() {
                format!("add `from = [...]` to [stages.{name}] with the stages a lead enters it from, e.g. from = [\"mql\"]")
            } else {
                "none of its `from` stages can be reached either: add a reachable stage to `from`"
                    .to_string()
            };
            self.push(
                Diagnostic::new(
                    span.clone(),
                    format!("stage `{name}` cannot be reached from `lead`"),
                    "unreachable stage",
                )
                .help(help),
            );
        }
        all_reachable.then_some(stages)
    }

    pub(super) fn personas(&mut self, v: &Val<'_>) -> Option<Vec<Persona>> {
        let t = self.table(v, "personas")?;
        if self.too_many_keys(&t, MAX_NAMES, "personas") {
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (key, value) in entries(t.t) {
            let name = key.get_ref().to_string();
            let path = format!("personas.{name}");
            let Some(pt) = self.table(value, &path) else {
                ok = false;
                continue;
            };
            self.check_keys(&pt, &["description", "when"]);
            let pt = Tbl {
                span: key.span(),
                ..pt
            };
            let description = self
                .get(&pt, "description", "\"...\"")
                .and_then(|v| self.string(v, &format!("{path}.description")));
            let when = match pt.t.get("when") {
                Some(v) => self
                    .expr(v, &format!("{path}.when"), RuleKind::Persona)
                    .map(Some),
                None => Some(None),
            };
            match (description, when) {
                (Some(description), Some(when)) => out.push(Persona {
                    name,
                    description,
                    when,
                }),
                _ => ok = false,
            }
        }
        if out.is_empty() && ok {
            self.push(
                Diagnostic::new(
                    self.first_line(t.span.clone()),
                    "no personas are declared",
                    "empty",
                )
                .help(
                    "add at least one [personas.<name>] section, e.g. [personas.executive_buyer]",
                ),
            );
            return None;
        }
        ok.then_some(out)
    }

    pub(super) fn journey_stages(&mut self, v: &Val<'_>) -> Option<Vec<JourneyStage>> {
        let t = self.table(v, "journey_stages")?;
        if self.too_many_keys(&t, MAX_NAMES, "journey stages") {
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (key, value) in entries(t.t) {
            let name = key.get_ref().to_string();
            let path = format!("journey_stages.{name}");
            let Some(jt) = self.table(value, &path) else {
                ok = false;
                continue;
            };
            self.check_keys(&jt, &["description"]);
            let jt = Tbl {
                span: key.span(),
                ..jt
            };
            match self
                .get(&jt, "description", "\"...\"")
                .and_then(|v| self.string(v, &format!("{path}.description")))
            {
                Some(description) => out.push(JourneyStage { name, description }),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}
