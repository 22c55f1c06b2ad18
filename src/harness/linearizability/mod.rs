//! A linearizability checker that knows nothing of migwiz (`CONCURRENCY.md` C-LIN,
//! C-VERDICT): Wing and Gong's search for an order of a concurrent history's operations
//! that a sequential specification explains, with Lowe's memoization of (operations
//! placed, state) so that a history with no such order, which forces the whole search,
//! stays fast. It also remembers the steps it took by (state, operation): an operation
//! tried again on a state reached by another order is answered without stepping the
//! specification (about three tries in ten on a failing history).
//! And where the search will not come back to a state (the last operation it can try
//! there, which is most of them when clients hardly overlap), it steps the state in place
//! ([`Spec::step_in_place`]) rather than keep a copy of it.
//!
//! Like porcupine's checker, it takes a sequential specification ([`Spec`]: the initial
//! state, one step, and a description for the report) and a [`History`] of operations,
//! each with its client, its call and return times, its input and the output the system
//! under test returned. It answers [`Verdict::Linearizable`] with an order,
//! [`Verdict::NotLinearizable`] with the longest prefix of an order the specification
//! explains and the operation that no order can place (what the specification expected
//! beside what was returned), or [`Verdict::Unknown`] when its budget of tries runs out,
//! never counted as a pass.
//!
//! ```
//! use migwiz::harness::linearizability::{check, History, Spec, Verdict};
//!
//! /// A register: write a value, or read it.
//! struct Register;
//! impl Spec for Register {
//!     type State = u8;
//!     type Input = Option<u8>; // Some(v): write v; None: read
//!     type Output = u8;
//!     fn init(&self) -> u8 { 0 }
//!     fn step(&self, state: &u8, input: &Option<u8>) -> (u8, u8) {
//!         match input { Some(v) => (*v, *v), None => (*state, *state) }
//!     }
//! }
//!
//! let mut history = History::new();
//! let write = history.call(0, Some(1));      // client 0 writes 1 …
//! let read = history.call(1, None);          // … while client 1 reads
//! history.returned(read, 1);                 // and sees 1: the write came first
//! history.returned(write, 1);
//! assert!(matches!(check(&Register, &history, 1_000), Verdict::Linearizable { .. }));
//!
//! let mut late = History::new();
//! let write = late.call(0, Some(1));
//! late.returned(write, 1);
//! let read = late.call(1, None);             // called after the write returned …
//! late.returned(read, 0);                    // … yet reads the old value
//! assert!(matches!(check(&Register, &late, 1_000), Verdict::NotLinearizable { .. }));
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use crate::harness::fingerprint;

/// A sequential specification: what one operation does to a state, and what it returns.
pub trait Spec {
    /// The state between operations.
    type State: Eq + Hash;
    /// An operation as called.
    type Input;
    /// What an operation returns.
    type Output: PartialEq + Clone + Debug;
    /// The state before the first operation.
    fn init(&self) -> Self::State;
    /// One operation on `state`: the state after it, and what it returns.
    fn step(&self, state: &Self::State, input: &Self::Input) -> (Self::State, Self::Output);

    /// [`Spec::step`] in place: `state` becomes the state after the operation. The search
    /// steps in place where it will not come back to the state before (the last operation
    /// it can try there), so a specification whose `step` copies the state should give
    /// this too and save the copy. By default, a step whose result is moved in.
    fn step_in_place(&self, state: &mut Self::State, input: &Self::Input) -> Self::Output {
        let (after, output) = self.step(state, input);
        *state = after;
        output
    }
}

/// One operation of a history.
#[derive(Debug, Clone)]
pub struct Operation<I, O> {
    /// The client that called it.
    pub client: usize,
    /// When it was called (a logical time: every call and return has its own).
    pub call: u64,
    /// When it returned; `None` while it has not.
    pub returned: Option<u64>,
    /// What was called.
    pub input: I,
    /// What it returned.
    pub output: Option<O>,
}

/// A concurrent history: operations with their call and return times, in call order.
#[derive(Debug, Clone)]
pub struct History<I, O> {
    /// The operations, in the order they were called.
    pub operations: Vec<Operation<I, O>>,
    clock: u64,
}

impl<I, O> Default for History<I, O> {
    fn default() -> Self {
        History {
            operations: Vec::new(),
            clock: 0,
        }
    }
}

impl<I, O> History<I, O> {
    /// An empty history.
    pub fn new() -> Self {
        History::default()
    }

    /// Records a call by `client` now; returns the operation's index.
    pub fn call(&mut self, client: usize, input: I) -> usize {
        self.clock += 1;
        self.operations.push(Operation {
            client,
            call: self.clock,
            returned: None,
            input,
            output: None,
        });
        self.operations.len() - 1
    }

    /// Records that operation `index` returned `output` now.
    pub fn returned(&mut self, index: usize, output: O) {
        self.clock += 1;
        let op = &mut self.operations[index];
        op.returned = Some(self.clock);
        op.output = Some(output);
    }
}

/// What the checker found.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict<O> {
    /// An order of every operation that the specification explains: indices into the
    /// history, in that order.
    Linearizable {
        /// The linearization.
        order: Vec<usize>,
    },
    /// No order exists.
    NotLinearizable {
        /// The longest prefix of an order that the specification explains.
        prefix: Vec<usize>,
        /// An operation that no order can place after that prefix.
        stuck: usize,
        /// What the specification expected it to return there.
        expected: O,
        /// What it returned.
        returned: O,
    },
    /// The budget ran out before the search ended: never a pass.
    Unknown {
        /// Placements tried: steps of the specification, and tries answered from the
        /// search's memory of the steps it took.
        steps: u64,
    },
}

/// One entry of the search's list: an operation's call or its return.
#[derive(Debug, Clone, Copy)]
struct Entry {
    op: usize,
    is_call: bool,
    prev: usize,
    next: usize,
}

/// The list of calls and returns in time order, doubly linked so that a call and its
/// return can be lifted out and put back in O(1); entry 0 is the head.
struct Timeline {
    entries: Vec<Entry>,
    /// Per operation, the index of its call entry and of its return entry.
    at: Vec<(usize, usize)>,
}

const NONE: usize = usize::MAX;

impl Timeline {
    fn new<I, O>(history: &History<I, O>) -> Timeline {
        let end = history.clock + 1; // an operation that never returned returns last
        let mut points: Vec<(u64, bool, usize)> = Vec::with_capacity(2 * history.operations.len());
        for (op, o) in history.operations.iter().enumerate() {
            points.push((o.call, true, op));
            points.push((o.returned.unwrap_or(end), false, op));
        }
        // In time order; at the same time (only unreturned ones share `end`) calls first.
        // The keys are distinct (each holds its operation), so an unstable sort will do.
        points.sort_unstable_by_key(|&(t, is_call, op)| (t, !is_call, op));
        let mut entries = Vec::with_capacity(points.len() + 1);
        entries.push(Entry {
            op: NONE,
            is_call: false,
            prev: NONE,
            next: 1,
        });
        let mut at = vec![(0, 0); history.operations.len()];
        for (k, &(_, is_call, op)) in points.iter().enumerate() {
            let index = k + 1;
            entries.push(Entry {
                op,
                is_call,
                prev: index - 1,
                next: if k + 1 < points.len() {
                    index + 1
                } else {
                    NONE
                },
            });
            if is_call {
                at[op].0 = index;
            } else {
                at[op].1 = index;
            }
        }
        if points.is_empty() {
            entries[0].next = NONE;
        }
        Timeline { entries, at }
    }

    fn first(&self) -> usize {
        self.entries[0].next
    }

    fn unlink(&mut self, i: usize) {
        let Entry { prev, next, .. } = self.entries[i];
        self.entries[prev].next = next;
        if next != NONE {
            self.entries[next].prev = prev;
        }
    }

    fn relink(&mut self, i: usize) {
        let Entry { prev, next, .. } = self.entries[i];
        self.entries[prev].next = i;
        if next != NONE {
            self.entries[next].prev = i;
        }
    }

    /// Takes an operation's call and return out of the list.
    fn lift(&mut self, op: usize) {
        let (call, ret) = self.at[op];
        self.unlink(call);
        self.unlink(ret);
    }

    /// Puts them back: the reverse of [`Timeline::lift`].
    fn unlift(&mut self, op: usize) {
        let (call, ret) = self.at[op];
        self.relink(ret);
        self.relink(call);
    }
}

/// A set of operation indices, kept as its fingerprint: the exclusive or of a
/// pseudo-random 128-bit word per operation (Zobrist's hashing), so that placing or taking
/// back an operation costs the same however long the history (issue 35: hashing every bit
/// at every step made a long run quadratic). Two different sets share a fingerprint with
/// a chance of about 2^-128.
#[derive(Debug)]
struct Placed(u128);

impl Placed {
    fn new() -> Placed {
        Placed(0)
    }
    fn flip(&mut self, i: usize) {
        self.0 ^= word_of(i);
    }
    /// The fingerprint of these operations placed and a state, from the state's own.
    fn fingerprint(&self, state: u128, buffer: &mut Vec<u8>) -> u128 {
        fingerprint::of_fed(buffer, |h| {
            h.write_u128(state);
            h.write_u128(self.0);
        })
    }
}

/// Whether the specification's `output` fits what the history recorded: the same, or
/// anything for an operation that never returned (its effect may have happened or not).
fn fits<O: PartialEq>(recorded: &Option<O>, output: &O) -> bool {
    recorded.as_ref().is_none_or(|r| r == output)
}

/// Operation `i`'s word for [`Placed`]: splitmix64 of its index, twice.
fn word_of(i: usize) -> u128 {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let low = mix(i as u64);
    (u128::from(mix(low)) << 64) | u128::from(low)
}

/// Steps after which the search stops fingerprinting the states where only one operation
/// can come next: far above what a run of a few clients takes (a few hundred steps), far
/// below a run of thousands of units, where the fingerprints cost more than the model.
const FORCED_AFTER: u64 = 1_024;

/// Checks `history` against `spec`, trying at most `budget` placements of an operation.
///
/// Every operation that returned is placed. One that never returned is taken to return
/// after all the others, with whatever output the specification gives, and may be left
/// out: its effect may have happened or not (Herlihy and Wing's completion of a history).
/// A run of migwiz that ended with a call outstanding (a deadlock) is reported as such
/// before it comes here (C-DEADLOCK); a history of another kind may hold such calls.
pub fn check<S: Spec>(
    spec: &S,
    history: &History<S::Input, S::Output>,
    budget: u64,
) -> Verdict<S::Output> {
    let mut search = Search::new(spec, history);
    loop {
        if search.entry == NONE || search.completed_left == 0 {
            // Every operation that returned placed (and every other placed or left out).
            let order = search.stack.iter().map(|(op, _)| *op).collect();
            return Verdict::Linearizable { order };
        }
        let Entry { op, is_call, .. } = search.timeline.entries[search.entry];
        if is_call {
            if search.steps >= budget {
                return Verdict::Unknown {
                    steps: search.steps,
                };
            }
            search.try_next(op);
        } else if !search.backtrack() {
            let Search {
                longest,
                mut edges,
                mut buffer,
                ..
            } = search;
            return stuck(spec, history, longest, &mut edges, &mut buffer);
        }
    }
}

/// The search of [`check`] between its steps: where it stands in the history, the state
/// the operations placed so far lead to, and what it remembers.
struct Search<'h, S: Spec> {
    spec: &'h S,
    history: &'h History<S::Input, S::Output>,
    timeline: Timeline,
    placed: Placed,
    /// Lowe's cache holds (operations placed, state) as one 128-bit fingerprint of the
    /// placed set and the state's own fingerprint rather than as the pair: a state is not
    /// copied into the cache at every placement (a model is large), no set of bits is
    /// allocated either, and the cache stays small. Two nodes with one fingerprint would
    /// prune an order the search still had to try; at 2^32 nodes the chance is about 2^-64.
    cache: HashSet<u128, rustc_hash::FxBuildHasher>,
    edges: Edges<S::State, S::Output>,
    buffer: Vec<u8>,
    state: Node<S::State>,
    /// The operations placed so far, each with the state before it when the search may
    /// come back to that state to try another operation there (none after the last one).
    stack: Vec<(usize, Option<Node<S::State>>)>,
    /// The longest prefix placed, for the report, which rebuilds the state after it; and
    /// how many of its first operations the stack still holds (`agree`), so that it grows
    /// by one push as the stack does, not by a copy of the stack.
    longest: Vec<usize>,
    agree: usize,
    steps: u64,
    /// The timeline's entry the search looks at.
    entry: usize,
    /// Whether `entry` is the first operation tried on this state.
    first_here: bool,
    /// Operations that returned and are not placed yet: with none left, the operations
    /// that never returned may each have taken effect or not, and the order stands.
    completed_left: usize,
}

impl<'h, S: Spec> Search<'h, S> {
    fn new(spec: &'h S, history: &'h History<S::Input, S::Output>) -> Self {
        let timeline = Timeline::new(history);
        let entry = timeline.first();
        let completed_left = history
            .operations
            .iter()
            .filter(|o| o.returned.is_some())
            .count();
        Search {
            spec,
            history,
            timeline,
            placed: Placed::new(),
            cache: HashSet::default(),
            edges: Edges::default(),
            buffer: Vec::new(),
            state: Node::new(spec.init()),
            stack: Vec::new(),
            longest: Vec::new(),
            agree: 0,
            steps: 0,
            entry,
            first_here: true,
            completed_left,
        }
    }

    fn returned(&self, op: usize) -> bool {
        self.history.operations[op].returned.is_some()
    }

    /// Tries `op`, whose call is the entry looked at, on the state: placed if the
    /// specification gives what it returned and the (placed, state) pair is new, and the
    /// search goes on from the first entry; else it goes on to the next entry.
    fn try_next(&mut self, op: usize) {
        self.steps += 1;
        let next = self.timeline.entries[self.entry].next;
        // A return next: this is the last operation to try on this state, and the search
        // will not come back to it (an operation's own return follows its call, so `next`
        // is never NONE).
        let last = !self.timeline.entries[next].is_call;
        // The only operation that can come next, in a long search: no order may choose,
        // so neither Lowe's cache nor the memory of steps is asked, and no fingerprint is
        // taken (a fingerprint reads the whole state: at every step of a long run it made
        // the search quadratic). A state reached again this way is caught at the next
        // choice after it; a failed step is not remembered, and may be stepped again. A
        // short search remembers everything.
        let forced = last && self.first_here && self.steps > FORCED_AFTER;
        let (spec, history, buffer) = (self.spec, self.history, &mut self.buffer);
        let tried = match (forced, last) {
            (true, _) => Edges::step_forced(spec, history, &mut self.state, op),
            (false, true) => self
                .edges
                .step_last(spec, history, &mut self.state, op, buffer),
            (false, false) => self
                .edges
                .step(spec, history, &self.state, op, buffer)
                .map(Some),
        };
        if let Ok(after) = tried {
            self.placed.flip(op);
            let new = forced || {
                let print = match &after {
                    Some(after) => after.print(&mut self.buffer),
                    None => self.state.print(&mut self.buffer),
                };
                self.cache
                    .insert(self.placed.fingerprint(print, &mut self.buffer))
            };
            if new {
                let before = after.map(|after| std::mem::replace(&mut self.state, after));
                self.stack.push((op, before.filter(|_| !last)));
                self.completed_left -= usize::from(self.returned(op));
                self.timeline.lift(op);
                self.note_longest(op);
                self.entry = self.timeline.first();
                self.first_here = true;
                return;
            }
            self.placed.flip(op);
        }
        self.entry = next;
        self.first_here = false;
    }

    /// Keeps the longest prefix placed up to date after `op` was pushed.
    fn note_longest(&mut self, op: usize) {
        let depth = self.stack.len();
        if self.agree == depth - 1 && self.longest.get(depth - 1) == Some(&op) {
            self.agree = depth;
        } else if depth > self.longest.len() {
            if self.agree < depth - 1 {
                self.longest = self.stack.iter().map(|(o, _)| *o).collect();
            } else {
                self.longest.push(op);
            }
            self.agree = depth;
        }
    }

    /// A return reached: the operations before it were all tried on this state. Takes
    /// the last operation placed back and goes on after it; false with none placed.
    fn backtrack(&mut self) -> bool {
        let Some((op, before)) = self.stack.pop() else {
            return false;
        };
        self.agree = self.agree.min(self.stack.len());
        self.completed_left += usize::from(self.returned(op));
        // With no state kept, the operation was the last tried there: the entry after it
        // is a return, and the search backtracks again before it reads `state`.
        if let Some(before) = before {
            self.state = before;
        }
        self.placed.flip(op);
        self.timeline.unlift(op);
        self.entry = self.timeline.entries[self.timeline.at[op].0].next;
        self.first_here = false;
        true
    }
}

/// A state the search reached, shared between the stack and the edges that lead to it,
/// with its fingerprint once taken.
struct Node<T> {
    state: Rc<T>,
    print: std::cell::Cell<Option<u128>>,
}

impl<T> Clone for Node<T> {
    fn clone(&self) -> Self {
        Node {
            state: Rc::clone(&self.state),
            print: self.print.clone(),
        }
    }
}

impl<T: Hash> Node<T> {
    fn new(state: T) -> Node<T> {
        Node {
            state: Rc::new(state),
            print: std::cell::Cell::new(None),
        }
    }

    /// The state's fingerprint, taken the first time it is asked for.
    fn print(&self, buffer: &mut Vec<u8>) -> u128 {
        match self.print.get() {
            Some(print) => print,
            None => {
                let print = fingerprint::of(&*self.state, buffer);
                self.print.set(Some(print));
                print
            }
        }
    }
}

/// The steps the search has taken, by (state's fingerprint, operation): where the step
/// led when the operation returned what the specification gives, or else what the
/// specification gives.
///
/// One state is often reached by two orders (operations that leave the state as it was,
/// or that commute), and Lowe's cache tells them apart by what they placed, so the search
/// tries the same operation on the same state again: about three tries in ten on the
/// concurrency bench's failing histories. Answered from here, such a try copies and steps
/// nothing, and the report of a failure reads what was expected from here too. At most
/// [`Edges::MAX`] steps are kept, so memory stays bounded on a long search. As in Lowe's
/// cache, two states with one fingerprint would be taken for one (about 2^-64 at 2^32).
struct Edges<T, O> {
    taken: HashMap<(u128, usize), Result<Node<T>, O>, rustc_hash::FxBuildHasher>,
}

impl<T, O> Default for Edges<T, O> {
    fn default() -> Self {
        Edges {
            taken: HashMap::default(),
        }
    }
}

impl<T: Hash, O: PartialEq + Clone> Edges<T, O> {
    /// Kept steps: past this many, the memory starts again empty. Each may hold a state
    /// besides those on the search's stack, so this bounds what the memory costs, while
    /// the repeats it answers come soon after the first try (the concurrency bench's
    /// failing searches take at most a few hundred steps in all).
    const MAX: usize = 1 << 10;

    /// Operation `op` on `from`: the state after it when it returns what the history
    /// says, or else what the specification says it returns.
    fn step<S: Spec<State = T, Output = O>>(
        &mut self,
        spec: &S,
        history: &History<S::Input, O>,
        from: &Node<T>,
        op: usize,
        buffer: &mut Vec<u8>,
    ) -> Result<Node<T>, O> {
        let print = from.print(buffer);
        if let Some(known) = self.taken.get(&(print, op)) {
            return known.clone();
        }
        let (after, output) = spec.step(&from.state, &history.operations[op].input);
        let after = match fits(&history.operations[op].output, &output) {
            true => Ok(Node::new(after)),
            false => Err(output),
        };
        self.keep((print, op), after.clone());
        after
    }

    /// The only operation that can come next on `from`: stepped in place when nothing
    /// else holds the state (else from a copy), with no memory asked or kept and no
    /// fingerprint taken. `Ok(None)` says `from` is now the state after.
    fn step_forced<S: Spec<State = T, Output = O>>(
        spec: &S,
        history: &History<S::Input, O>,
        from: &mut Node<T>,
        op: usize,
    ) -> Result<Option<Node<T>>, O> {
        let input = &history.operations[op].input;
        let (after, output) = match Rc::get_mut(&mut from.state) {
            Some(state) => (None, spec.step_in_place(state, input)),
            // Held elsewhere: stepped from a copy, which is not kept either, so that the
            // operations after it can be stepped in place.
            None => {
                let (after, output) = spec.step(&from.state, input);
                (Some(after), output)
            }
        };
        if !fits(&history.operations[op].output, &output) {
            return Err(output);
        }
        if after.is_none() {
            from.print.set(None);
        }
        Ok(after.map(Node::new))
    }

    /// [`Edges::step`] for the last operation the search tries on `from`, whose state it
    /// will not need again. When nothing else holds that state (this memory keeps the
    /// states its steps led to), it is stepped in place with no copy, and `Ok(None)` says
    /// `from` is now the state after; else it is stepped from a copy. Either way the step
    /// is not kept, so that the operations after it find their state held by nothing else
    /// and step in place too; only an output other than the history's is kept, for the
    /// report. After that failure `from` may be spoiled: the search backtracks past it.
    fn step_last<S: Spec<State = T, Output = O>>(
        &mut self,
        spec: &S,
        history: &History<S::Input, O>,
        from: &mut Node<T>,
        op: usize,
        buffer: &mut Vec<u8>,
    ) -> Result<Option<Node<T>>, O> {
        let print = from.print(buffer);
        if let Some(known) = self.taken.get(&(print, op)) {
            return known.clone().map(Some);
        }
        Self::step_forced(spec, history, from, op).inspect_err(|output| {
            self.keep((print, op), Err(output.clone()));
        })
    }

    /// Keeps a step, starting again empty when full.
    fn keep(&mut self, key: (u128, usize), step: Result<Node<T>, O>) {
        if self.taken.len() >= Self::MAX {
            self.taken.clear();
        }
        self.taken.insert(key, step);
    }
}

/// The report of a history with no order: after the longest explained prefix, the first
/// operation that could come next (called before every pending return) and whose output
/// the specification does not give.
///
/// The state after the prefix is rebuilt by stepping it again, in place: the search keeps
/// no state it will not come back to, and one pass at the end costs less than keeping the
/// deepest state at every step on the way (rebuilding it from the deepest state the stack
/// kept measured 3 to 5 % faster on the concurrency bench, for more code).
fn stuck<S: Spec>(
    spec: &S,
    history: &History<S::Input, S::Output>,
    prefix: Vec<usize>,
    edges: &mut Edges<S::State, S::Output>,
    buffer: &mut Vec<u8>,
) -> Verdict<S::Output> {
    let mut state = spec.init();
    for &op in &prefix {
        spec.step_in_place(&mut state, &history.operations[op].input);
    }
    let state = Node::new(state);
    let mut done = vec![false; history.operations.len()];
    prefix.iter().for_each(|&op| done[op] = true);
    // The operations that may come next: not placed, and called before the first return
    // of an operation not placed.
    let mut first_return = u64::MAX;
    for (op, o) in history.operations.iter().enumerate() {
        if !done[op] {
            first_return = first_return.min(o.returned.unwrap_or(u64::MAX));
        }
    }
    let candidates = (0..history.operations.len())
        .filter(|&op| !done[op] && history.operations[op].call < first_return);
    let mut fallback = None;
    for op in candidates {
        // The search tried each of them there: a failed step is remembered.
        match edges.step(spec, history, &state, op, buffer) {
            Err(expected) => {
                let returned = history.operations[op].output.clone();
                return Verdict::NotLinearizable {
                    prefix,
                    stuck: op,
                    returned: returned.unwrap_or_else(|| expected.clone()),
                    expected,
                };
            }
            Ok(_) => {
                fallback.get_or_insert(op);
            }
        }
    }
    // Every next operation is explained on its own, but no order of the rest is: report
    // the first of them, which returned what the specification gives.
    let op = fallback.expect("a history with no order has an operation left");
    let expected = history.operations[op]
        .output
        .clone()
        .expect("an explained operation returned");
    Verdict::NotLinearizable {
        prefix,
        stuck: op,
        returned: expected.clone(),
        expected,
    }
}

#[cfg(test)]
mod tests;
