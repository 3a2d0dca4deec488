//! The storefront example: Kassa on its embedded defaults.

fn main() -> Result<(), kassa::KassaError> {
    let total = kassa::Money::parse("19.90", "EUR")?;
    println!("Kassa storefront (foundation only so far): {total}");
    Ok(())
}
