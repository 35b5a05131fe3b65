"""Request bodies of the verbs around the contract (replan, slots, scenarios): their models,
read into domain objects with every broken field named by its path."""
