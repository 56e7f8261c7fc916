//! What the Phản Ánh app and the reference server agree on.
//!
//! Both sides validate a report by the same rules and fold Vietnamese text
//! the same way, so these live here, in one small crate with no I/O, rather
//! than in either side.

pub mod clock;
pub mod feedback;
pub mod geo;
pub mod jpeg;
pub mod lang;
pub mod phone;
pub mod status;
pub mod text;
pub mod validate;
pub mod vn_time;
pub mod wire;

pub use clock::{Clock, ManualClock, SystemClock};
pub use feedback::Score;
pub use lang::Lang;
pub use phone::{PhoneError, normalize_phone};
pub use status::Status;
pub use validate::{Field, Limits, ServiceArea, Submission, ValidationError, ValidationErrors};
