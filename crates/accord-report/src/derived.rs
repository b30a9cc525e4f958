//! Orders across events for an explanation, rebuilt from the projection's
//! columns in one pass each (counting sorts by lead or account, then a sort
//! of each small group): a lead's touches in (time, id) order and an
//! account's leads. ([`crate::Live`] keeps the same orders current as
//! events arrive.)

use std::cmp::Ordering;

use crate::attribution::TouchIndex;
use crate::projection::{Arena, Projections, NONE};

/// Groups of indexes by an owner index (compressed sparse rows).
#[derive(Clone, Debug, Default)]
pub struct Groups {
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Groups {
    /// Groups `0..owners.len()` by `owners[i]` (skipping `NONE`), keeping the
    /// original order inside each group.
    fn by_owner(owners: &[u32], groups: usize) -> Groups {
        let mut starts = vec![0u32; groups + 1];
        for &o in owners {
            if o != NONE {
                starts[o as usize + 1] += 1;
            }
        }
        for g in 0..groups {
            starts[g + 1] += starts[g];
        }
        let mut fill = starts.clone();
        let mut items = vec![0u32; starts[groups] as usize];
        for (i, &o) in owners.iter().enumerate() {
            if o != NONE {
                let slot = &mut fill[o as usize];
                items[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        Groups { starts, items }
    }

    pub fn get(&self, group: u32) -> &[u32] {
        &self.items[self.span(group)]
    }

    /// Where a group's items sit in [`Groups::items`] (empty for an unknown group).
    pub fn span(&self, group: u32) -> std::ops::Range<usize> {
        let g = group as usize;
        if g + 1 >= self.starts.len() {
            return 0..0;
        }
        self.starts[g] as usize..self.starts[g + 1] as usize
    }

    /// Every group's items, one group after the other.
    pub fn items(&self) -> &[u32] {
        &self.items
    }

    fn sort_each_by(&mut self, mut cmp: impl FnMut(u32, u32) -> Ordering) {
        for g in 0..self.starts.len().saturating_sub(1) {
            let s = &mut self.items[self.starts[g] as usize..self.starts[g + 1] as usize];
            if s.windows(2).any(|w| cmp(w[0], w[1]) == Ordering::Greater) {
                s.sort_unstable_by(|&a, &b| cmp(a, b));
            }
        }
    }
}

/// (time, id) order: time first, the id breaks ties.
pub fn time_then_id(at: &[i64], ids: &Arena, a: u32, b: u32) -> Ordering {
    at[a as usize]
        .cmp(&at[b as usize])
        .then_with(|| ids.get(a).cmp(ids.get(b)))
}

/// See the module docs.
#[derive(Clone, Debug, Default)]
pub struct Derived {
    /// Touch indexes per lead, in (time, touch id) order.
    pub touches_by_lead: Groups,
    /// Created leads per account.
    pub leads_by_account: Groups,
}

impl Derived {
    pub fn build(p: &Projections) -> Derived {
        let n_leads = p.leads.len();
        let mut touches_by_lead = Groups::by_owner(&p.touches.lead, n_leads);
        let (at, ids) = (&p.touches.at, &p.touches.ids);
        touches_by_lead.sort_each_by(|a, b| time_then_id(at, ids, a, b));
        let accounts: Vec<u32> = (0..n_leads as u32)
            .map(|l| {
                if p.leads.is_created(l) {
                    p.leads.account[l as usize]
                } else {
                    NONE
                }
            })
            .collect();
        let leads_by_account = Groups::by_owner(&accounts, p.accounts.len());
        Derived {
            touches_by_lead,
            leads_by_account,
        }
    }
}

impl TouchIndex for Derived {
    fn account_leads(&self, account: u32) -> &[u32] {
        self.leads_by_account.get(account)
    }

    fn lead_touches(&self, lead: u32) -> &[u32] {
        self.touches_by_lead.get(lead)
    }
}
