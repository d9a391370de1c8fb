//! Typed host functions: [`Linker::func_wrap`] and its variants take Rust
//! closures whose parameter and result tuples give the interface
//! signature ([`LiftList`], [`LowerList`]); [`Linker::func_wrap_borrowed`]
//! lends `&str` and `&[u8]` parameters from the call's arguments.

use super::{mismatch, Lift, LiftList, LowerList};
use crate::caller::Caller;
use crate::error::Error;
use crate::linker::Linker;
use crate::types::{FuncType, Type};
use crate::value::Value;

impl<T: Send + 'static> Linker<T> {
    /// Defines interface function `module` `name` from a typed closure: `P`
    /// and `R` are tuples whose types give the function's signature.
    pub fn func_wrap<P, R, F>(&mut self, module: &str, name: &str, f: F) -> &mut Self
    where
        P: LiftList + 'static,
        R: LowerList + 'static,
        F: Fn(P) -> Result<R, Error> + Send + Sync + 'static,
    {
        let ty = FuncType {
            params: P::types(),
            results: R::types(),
        };
        self.func_new(module, name, ty, move |args, out| {
            let p = P::from_values(&mut args.iter().cloned())?;
            f(p)?.push_values(out);
            Ok(())
        })
    }

    /// As [`Linker::func_wrap`], with a [`Caller`] first: the instance's
    /// data (`caller.data_mut()`), its memory (`caller.read(ptr, len)`), and
    /// its functions to call back.
    pub fn func_wrap_with_caller<P, R, F>(&mut self, module: &str, name: &str, f: F) -> &mut Self
    where
        P: LiftList + 'static,
        R: LowerList + 'static,
        F: Fn(Caller<'_, T>, P) -> Result<R, Error> + Send + Sync + 'static,
    {
        let ty = FuncType {
            params: P::types(),
            results: R::types(),
        };
        self.func_new_with_caller(module, name, ty, move |caller, args, out| {
            let p = P::from_values(&mut args.iter().cloned())?;
            f(caller, p)?.push_values(out);
            Ok(())
        })
    }

    /// As [`Linker::func_wrap`], with borrowed parameters: `P` names them
    /// (`&str` and `&[u8]` borrow from the call's arguments, other types are
    /// owned), so no `String` is allocated per call:
    ///
    /// ```
    /// # use intertype_runtime::{Engine, Linker};
    /// # let mut linker = Linker::new(&Engine::default());
    /// linker.func_wrap_borrowed::<(&str, u32), _, _>("host", "log", |(msg, level)| {
    ///     println!("{level}: {msg}");
    ///     Ok(())
    /// });
    /// ```
    pub fn func_wrap_borrowed<P, R, F>(&mut self, module: &str, name: &str, f: F) -> &mut Self
    where
        P: BorrowList + 'static,
        R: LowerList + 'static,
        F: for<'a> Fn(P::Args<'a>) -> Result<R, Error> + Send + Sync + 'static,
    {
        let ty = FuncType {
            params: P::param_types(),
            results: R::types(),
        };
        self.func_new(module, name, ty, move |args, out| {
            f(P::get(args)?)?.push_values(out);
            Ok(())
        })
    }
}

/// A parameter of [`Linker::func_wrap_borrowed`]: `&str` and `&[u8]` are
/// borrowed from the call's arguments, any [`Lift`] type is owned.
pub trait BorrowParam {
    /// The value the closure gets.
    type Arg<'a>;
    fn param_ty() -> Type;
    #[doc(hidden)]
    fn get(v: &Value) -> Result<Self::Arg<'_>, Error>;
}

impl BorrowParam for &str {
    type Arg<'a> = &'a str;
    fn param_ty() -> Type {
        Type::String
    }
    fn get(v: &Value) -> Result<&str, Error> {
        match v {
            Value::String(s) => Ok(s),
            other => mismatch(&Type::String, other),
        }
    }
}

impl BorrowParam for &[u8] {
    type Arg<'a> = &'a [u8];
    fn param_ty() -> Type {
        Type::list(Type::U8)
    }
    fn get(v: &Value) -> Result<&[u8], Error> {
        match v {
            Value::Bytes(b) => Ok(b),
            other => mismatch(&Type::list(Type::U8), other),
        }
    }
}

impl<T: Lift> BorrowParam for T {
    type Arg<'a> = T;
    fn param_ty() -> Type {
        <T as Lift>::ty()
    }
    fn get(v: &Value) -> Result<T, Error> {
        T::from_value(v.clone())
    }
}

/// The parameters of [`Linker::func_wrap_borrowed`]: tuples of
/// [`BorrowParam`]s.
pub trait BorrowList {
    /// The tuple the closure gets.
    type Args<'a>;
    fn param_types() -> Vec<Type>;
    #[doc(hidden)]
    fn get(vs: &[Value]) -> Result<Self::Args<'_>, Error>;
}

macro_rules! borrow_lists {
    ($(($($t:ident $i:tt),*);)*) => {$(
        impl<$($t: BorrowParam),*> BorrowList for ($($t,)*) {
            type Args<'a> = ($($t::Arg<'a>,)*);
            fn param_types() -> Vec<Type> { vec![$($t::param_ty()),*] }
            fn get(_vs: &[Value]) -> Result<Self::Args<'_>, Error> {
                Ok(($(
                    $t::get(_vs.get($i).ok_or_else(|| Error::host_type("too few values"))?)?,
                )*))
            }
        }
    )*};
}

borrow_lists! {
    ();
    (A 0);
    (A 0, B 1);
    (A 0, B 1, C 2);
    (A 0, B 1, C 2, D 3);
    (A 0, B 1, C 2, D 3, E 4);
    (A 0, B 1, C 2, D 3, E 4, F 5);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
}
