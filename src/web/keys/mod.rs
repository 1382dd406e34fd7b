//! The Developer Hub pages: the key list, the create form with its permission matrix, the
//! show-once page, key detail, edit, and the suspend/reactivate/roll/revoke actions. One
//! file per page or concern; the route table (`web/mod.rs`) names the handlers here.

mod actions;
mod create;
mod detail;
mod form;
mod list;
mod view;

pub(super) use actions::{RollForm, grace_choices};
pub use actions::{
    confirm_revoke, confirm_roll, reactivate_key, revoke_key, roll_key, suspend_key,
};
pub use create::{create_key, new_key, reveal_key};
pub use detail::{edit_key, show_key, update_key};
pub use list::list_keys;
