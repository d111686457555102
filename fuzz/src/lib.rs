//! What the fuzz targets share.

use std::path::Path;
use std::sync::OnceLock;

use faqbot_core::engine::Engine;

/// The engine on the shipped FAQ, built once per fuzzing process.
pub fn shipped_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../faq");
        Engine::new(faqbot_core::faq::load_dir(&dir).expect("shipped FAQ").faq)
    })
}
