"""Reading the playground's widgets off the fake page, as a user sees them."""


def shown_layers(page):
    """(sizes, activations) the hidden-layer editor shows: each row's neuron count and chosen function."""
    sizes = [int(size.text.split()[0]) for size in page.find("layer-controls", "span", class_="layer-size")]
    activations = [menu.find("option", selected="")[0].attributes["value"]
                   for menu in page.find("layer-controls", "select", data_setting="layer_activation")]
    return sizes, activations


def editing(page):
    """(label, text) of the weight editor when it has the focus, or None."""
    return (page.texts["weight-label"], page.values["weight"]) if page.focused == "weight" else None
