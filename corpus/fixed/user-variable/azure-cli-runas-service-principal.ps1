# expect: MI101 MI506
# why: The Azure CLI signed in as the Run As service principal with the certificate exported to a PEM file: the login becomes az login --identity (keeping --allow-no-subscriptions and -o), and the connection goes once nothing reads it.
param(
    [string]$ResourceGroup = 'rg-web'
)

$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$pemPath = Join-Path $env:TEMP 'runas.pem'

az login --identity --client-id $IdentityClientId --allow-no-subscriptions -o none
Remove-Item $pemPath -ErrorAction SilentlyContinue

$apps = az webapp list --resource-group $ResourceGroup --query "[?state=='Stopped'].name" -o tsv
foreach ($app in $apps) {
    az webapp start --resource-group $ResourceGroup --name $app -o none
    Write-Output "Started $app"
}
