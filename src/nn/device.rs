//! Which burn backend runs the networks, chosen at run time (`--device flex|wgpu|cuda`).
//!
//! * `flex`: burn's pure-Rust CPU backend, always built (the default).
//! * `wgpu`: a GPU through wgpu (Vulkan, Metal, DX12), or a software Vulkan device such as
//!   Mesa's lavapipe (Debian `mesa-vulkan-drivers`); needs the cargo feature `wgpu`.
//! * `cuda`: an NVIDIA GPU; needs the cargo feature `cuda` (which builds only with internet
//!   access: burn's CUDA stack downloads LLVM in a build script).
//!
//! A backend the binary was built without, or a wgpu/CUDA runtime that finds no adapter, is a
//! typed error naming the cargo feature or the driver, never a panic: the device is brought
//! up and probed with one small tensor before any work.

use std::fmt;
use std::str::FromStr;

use burn::tensor::Device;

use crate::error::{Error, Result};

/// A burn backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// burn's Flex CPU backend.
    #[default]
    Flex,
    /// wgpu (Vulkan / Metal / DX12; cargo feature `wgpu`).
    Wgpu,
    /// CUDA (cargo feature `cuda`).
    Cuda,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Flex => "flex",
            Backend::Wgpu => "wgpu",
            Backend::Cuda => "cuda",
        })
    }
}

impl FromStr for Backend {
    type Err = Error;

    /// `flex`, `wgpu` or `cuda`.
    ///
    /// ```
    /// use sednas::nn::device::Backend;
    /// assert_eq!("wgpu".parse::<Backend>().unwrap(), Backend::Wgpu);
    /// assert!("tpu".parse::<Backend>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "flex" => Ok(Backend::Flex),
            "wgpu" => Ok(Backend::Wgpu),
            "cuda" => Ok(Backend::Cuda),
            other => Err(Error::param(
                "--device",
                format!("unknown backend {other:?}: expected flex, wgpu or cuda"),
            )),
        }
    }
}

impl Backend {
    /// Whether this binary was built with the backend.
    ///
    /// ```
    /// assert!(sednas::nn::device::Backend::Flex.compiled());
    /// ```
    pub fn compiled(self) -> bool {
        match self {
            Backend::Flex => true,
            Backend::Wgpu => cfg!(feature = "wgpu"),
            Backend::Cuda => cfg!(feature = "cuda"),
        }
    }

    /// The device for inference, brought up and probed (see the module docs).
    ///
    /// # Errors
    /// [`Error::Device`] naming the backend when this binary was built without it (the
    /// message names the cargo feature) or its runtime finds no usable adapter (the
    /// message names the driver needed).
    ///
    /// ```
    /// use sednas::nn::device::Backend;
    /// assert!(Backend::Flex.device().is_ok());
    /// # #[cfg(not(feature = "wgpu"))]
    /// assert!(matches!(Backend::Wgpu.device(), Err(sednas::Error::Device { backend: "wgpu", .. })));
    /// # #[cfg(not(feature = "wgpu"))]
    /// assert!(Backend::Wgpu.device().unwrap_err().to_string().contains("--features wgpu"));
    /// ```
    pub fn device(self) -> Result<Device> {
        match self {
            Backend::Flex => Ok(Device::flex()),
            Backend::Wgpu => wgpu_device(),
            Backend::Cuda => cuda_device(),
        }
    }

    /// The device for training (with autodiff).
    ///
    /// # Errors
    /// As [`Backend::device`].
    ///
    /// ```
    /// use sednas::nn::device::Backend;
    /// assert_eq!(Backend::Flex.train_device().unwrap().is_autodiff(), true);
    /// ```
    pub fn train_device(self) -> Result<Device> {
        Ok(self.device()?.autodiff())
    }
}

/// A short description of a device for logs and `meta.json` (backend and adapter name where
/// the runtime reports one).
///
/// ```
/// use sednas::nn::device::{describe, Backend};
/// assert_eq!(describe(Backend::Flex, &sednas::nn::cpu()), "flex");
/// ```
pub fn describe(backend: Backend, device: &Device) -> String {
    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    if backend != Backend::Flex
        && let Some(id) = device.identity()
    {
        return format!("{backend}: {}", id.name);
    }
    let _ = device;
    backend.to_string()
}

fn missing(feature: &'static str, driver: &str) -> Error {
    Error::Device {
        backend: feature,
        reason: format!(
            "this sednas was built without the {feature} backend: rebuild with `cargo build --release --features {feature}` ({driver})"
        ),
    }
}

/// Runs a tiny computation on `device`, turning a runtime panic (no adapter, no driver) into
/// an error.
#[cfg(any(feature = "wgpu", feature = "cuda"))]
fn probe(device: Device, what: &'static str, driver: &str) -> Result<Device> {
    use burn::tensor::Tensor;
    let d = device.clone();
    let r = std::panic::catch_unwind(move || {
        let t = Tensor::<1>::from_floats([1.0, 2.0, 3.0], &d);
        t.sum().into_scalar::<f32>()
    });
    match r {
        Ok(v) if v == 6.0 => Ok(device),
        Ok(v) => Err(Error::Device {
            backend: what,
            reason: format!("a probe computed {v}, expected 6"),
        }),
        Err(_) => Err(Error::Device {
            backend: what,
            reason: format!("no usable adapter ({driver})"),
        }),
    }
}

#[cfg(feature = "wgpu")]
fn wgpu_device() -> Result<Device> {
    const DRIVER: &str = "a Vulkan, Metal or DX12 driver is needed; on Debian without a GPU: apt-get install mesa-vulkan-drivers libvulkan1";
    static INIT: std::sync::Mutex<Option<std::result::Result<(), String>>> =
        std::sync::Mutex::new(None);
    let mut state = INIT.lock().map_err(|_| Error::Device {
        backend: "wgpu",
        reason: "its initialisation panicked in another thread".into(),
    })?;
    if state.is_none() {
        let r = std::panic::catch_unwind(|| Device::wgpu_options().init());
        *state = Some(match r {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("{e} ({DRIVER})")),
            Err(_) => Err(format!("no usable adapter ({DRIVER})")),
        });
    }
    match state.as_ref().expect("set above") {
        Ok(()) => probe(
            Device::wgpu(burn::tensor::DeviceKind::DefaultDevice),
            "wgpu",
            DRIVER,
        ),
        Err(e) => Err(Error::Device {
            backend: "wgpu",
            reason: e.clone(),
        }),
    }
}

#[cfg(not(feature = "wgpu"))]
fn wgpu_device() -> Result<Device> {
    Err(missing(
        "wgpu",
        "and a Vulkan, Metal or DX12 driver at run time",
    ))
}

#[cfg(feature = "cuda")]
fn cuda_device() -> Result<Device> {
    probe(
        Device::cuda(0),
        "cuda",
        "an NVIDIA GPU and its driver are needed",
    )
}

#[cfg(not(feature = "cuda"))]
fn cuda_device() -> Result<Device> {
    Err(missing(
        "cuda",
        "which needs internet access to build, and an NVIDIA driver at run time",
    ))
}
