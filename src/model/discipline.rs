//! The order axis of a station: in which order its consumers take
//! waiting messages.

/// Order in which a queue's consumers take waiting messages (read from a
/// scenario file by its kebab-case name, e.g. `lifo-preemptive`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Discipline {
    /// First in, first out.
    #[default]
    Fifo,
    /// Last in, first out, non-preemptive.
    Lifo,
    /// Lowest class priority number first, FIFO within a class, non-preemptive.
    Priority,
    /// A waiting message chosen uniformly at random.
    Random,
    /// Last in, first out; an arrival interrupts the latest service, which
    /// resumes later where it stopped (preemptive-resume).
    LifoPreemptive,
    /// By priority; an arrival interrupts a less urgent service, which
    /// resumes later where it stopped (preemptive-resume).
    PriorityPreemptive,
    /// Every message present is served at once, the consumers shared
    /// equally: each of n messages gets min(1, c/n) of a consumer.
    ProcessorSharing,
}

impl Discipline {
    /// True when a message's service may be interrupted or slowed by
    /// others (preemption, processor sharing).
    pub fn interrupts_service(self) -> bool {
        matches!(
            self,
            Discipline::LifoPreemptive
                | Discipline::PriorityPreemptive
                | Discipline::ProcessorSharing
        )
    }

    /// The scenario-file name of the discipline.
    pub fn name(self) -> &'static str {
        match self {
            Discipline::Fifo => "fifo",
            Discipline::Lifo => "lifo",
            Discipline::Priority => "priority",
            Discipline::Random => "random",
            Discipline::LifoPreemptive => "lifo-preemptive",
            Discipline::PriorityPreemptive => "priority-preemptive",
            Discipline::ProcessorSharing => "processor-sharing",
        }
    }
}
