"""binhai_geo: renewable-energy siting and carbon-sink planning for coastal districts.

Data flows one way: layers -> siting -> yield and sinks -> targets -> deliverables.
The first region is Tianjin's Binhai New Area (滨海新区).
"""

__version__ = "0.1.0"
